# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'about.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QFormLayout, QHBoxLayout, QLabel, QPushButton,
    QSizePolicy, QSpacerItem, QVBoxLayout, QWidget)

class Ui_AboutDialog(object):
    def setupUi(self, AboutDialog):
        if not AboutDialog.objectName():
            AboutDialog.setObjectName(u"AboutDialog")
        AboutDialog.resize(520, 380)
        self.mainLayout = QVBoxLayout(AboutDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.titleLabel = QLabel(AboutDialog)
        self.titleLabel.setObjectName(u"titleLabel")

        self.mainLayout.addWidget(self.titleLabel)

        self.descriptionLabel = QLabel(AboutDialog)
        self.descriptionLabel.setObjectName(u"descriptionLabel")
        self.descriptionLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.descriptionLabel)

        self.versionsLayout = QFormLayout()
        self.versionsLayout.setObjectName(u"versionsLayout")
        self.appVersionCaption = QLabel(AboutDialog)
        self.appVersionCaption.setObjectName(u"appVersionCaption")

        self.versionsLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.appVersionCaption)

        self.appVersionLabel = QLabel(AboutDialog)
        self.appVersionLabel.setObjectName(u"appVersionLabel")
        self.appVersionLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.versionsLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.appVersionLabel)

        self.pythonVersionCaption = QLabel(AboutDialog)
        self.pythonVersionCaption.setObjectName(u"pythonVersionCaption")

        self.versionsLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.pythonVersionCaption)

        self.pythonVersionLabel = QLabel(AboutDialog)
        self.pythonVersionLabel.setObjectName(u"pythonVersionLabel")
        self.pythonVersionLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.versionsLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.pythonVersionLabel)

        self.qtVersionCaption = QLabel(AboutDialog)
        self.qtVersionCaption.setObjectName(u"qtVersionCaption")

        self.versionsLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.qtVersionCaption)

        self.qtVersionLabel = QLabel(AboutDialog)
        self.qtVersionLabel.setObjectName(u"qtVersionLabel")
        self.qtVersionLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.versionsLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.qtVersionLabel)

        self.pysideVersionCaption = QLabel(AboutDialog)
        self.pysideVersionCaption.setObjectName(u"pysideVersionCaption")

        self.versionsLayout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.pysideVersionCaption)

        self.pysideVersionLabel = QLabel(AboutDialog)
        self.pysideVersionLabel.setObjectName(u"pysideVersionLabel")
        self.pysideVersionLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.versionsLayout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.pysideVersionLabel)

        self.sqlalchemyVersionCaption = QLabel(AboutDialog)
        self.sqlalchemyVersionCaption.setObjectName(u"sqlalchemyVersionCaption")

        self.versionsLayout.setWidget(4, QFormLayout.ItemRole.LabelRole, self.sqlalchemyVersionCaption)

        self.sqlalchemyVersionLabel = QLabel(AboutDialog)
        self.sqlalchemyVersionLabel.setObjectName(u"sqlalchemyVersionLabel")
        self.sqlalchemyVersionLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.versionsLayout.setWidget(4, QFormLayout.ItemRole.FieldRole, self.sqlalchemyVersionLabel)

        self.sqliteVersionCaption = QLabel(AboutDialog)
        self.sqliteVersionCaption.setObjectName(u"sqliteVersionCaption")

        self.versionsLayout.setWidget(5, QFormLayout.ItemRole.LabelRole, self.sqliteVersionCaption)

        self.sqliteVersionLabel = QLabel(AboutDialog)
        self.sqliteVersionLabel.setObjectName(u"sqliteVersionLabel")
        self.sqliteVersionLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.versionsLayout.setWidget(5, QFormLayout.ItemRole.FieldRole, self.sqliteVersionLabel)

        self.headHashCaption = QLabel(AboutDialog)
        self.headHashCaption.setObjectName(u"headHashCaption")

        self.versionsLayout.setWidget(6, QFormLayout.ItemRole.LabelRole, self.headHashCaption)

        self.headHashLabel = QLabel(AboutDialog)
        self.headHashLabel.setObjectName(u"headHashLabel")
        self.headHashLabel.setWordWrap(True)
        self.headHashLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.versionsLayout.setWidget(6, QFormLayout.ItemRole.FieldRole, self.headHashLabel)


        self.mainLayout.addLayout(self.versionsLayout)

        self.verticalSpacer = QSpacerItem(20, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.mainLayout.addItem(self.verticalSpacer)

        self.buttonsLayout = QHBoxLayout()
        self.buttonsLayout.setObjectName(u"buttonsLayout")
        self.copyButton = QPushButton(AboutDialog)
        self.copyButton.setObjectName(u"copyButton")
        self.copyButton.setAutoDefault(False)

        self.buttonsLayout.addWidget(self.copyButton)

        self.buttonBox = QDialogButtonBox(AboutDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setOrientation(Qt.Orientation.Horizontal)
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.buttonsLayout.addWidget(self.buttonBox)


        self.mainLayout.addLayout(self.buttonsLayout)


        self.retranslateUi(AboutDialog)
        self.buttonBox.rejected.connect(AboutDialog.reject)

        QMetaObject.connectSlotsByName(AboutDialog)
    # setupUi

    def retranslateUi(self, AboutDialog):
        AboutDialog.setWindowTitle(QCoreApplication.translate("AboutDialog", u"About QMS Workbench", None))
        self.titleLabel.setText(QCoreApplication.translate("AboutDialog", u"QMS Workbench", None))
        self.descriptionLabel.setText(QCoreApplication.translate("AboutDialog", u"An offline workbench for a quality management system: processes, risks, training, audits, documents and actions in one workspace file, with a tamper-evident audit trail.", None))
        self.appVersionCaption.setText(QCoreApplication.translate("AboutDialog", u"Version:", None))
        self.pythonVersionCaption.setText(QCoreApplication.translate("AboutDialog", u"Python:", None))
        self.qtVersionCaption.setText(QCoreApplication.translate("AboutDialog", u"Qt:", None))
        self.pysideVersionCaption.setText(QCoreApplication.translate("AboutDialog", u"PySide6:", None))
        self.sqlalchemyVersionCaption.setText(QCoreApplication.translate("AboutDialog", u"SQLAlchemy:", None))
        self.sqliteVersionCaption.setText(QCoreApplication.translate("AboutDialog", u"SQLite:", None))
        self.headHashCaption.setText(QCoreApplication.translate("AboutDialog", u"Audit trail head:", None))
#if QT_CONFIG(tooltip)
        self.copyButton.setToolTip(QCoreApplication.translate("AboutDialog", u"Copy these details to the clipboard, e.g. for a support request", None))
#endif // QT_CONFIG(tooltip)
        self.copyButton.setText(QCoreApplication.translate("AboutDialog", u"&Copy Details", None))
    # retranslateUi

