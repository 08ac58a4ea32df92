# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'sign.ui'
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
    QFormLayout, QLabel, QLineEdit, QSizePolicy,
    QSpacerItem, QVBoxLayout, QWidget)

class Ui_SignDialog(object):
    def setupUi(self, SignDialog):
        if not SignDialog.objectName():
            SignDialog.setObjectName(u"SignDialog")
        SignDialog.resize(520, 280)
        self.mainLayout = QVBoxLayout(SignDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.headingLabel = QLabel(SignDialog)
        self.headingLabel.setObjectName(u"headingLabel")
        self.headingLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.headingLabel)

        self.recordLayout = QFormLayout()
        self.recordLayout.setObjectName(u"recordLayout")
        self.documentCaption = QLabel(SignDialog)
        self.documentCaption.setObjectName(u"documentCaption")

        self.recordLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.documentCaption)

        self.documentLabel = QLabel(SignDialog)
        self.documentLabel.setObjectName(u"documentLabel")
        self.documentLabel.setWordWrap(True)
        self.documentLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.recordLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.documentLabel)

        self.revisionCaption = QLabel(SignDialog)
        self.revisionCaption.setObjectName(u"revisionCaption")

        self.recordLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.revisionCaption)

        self.revisionLabel = QLabel(SignDialog)
        self.revisionLabel.setObjectName(u"revisionLabel")
        self.revisionLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.recordLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.revisionLabel)

        self.hashCaption = QLabel(SignDialog)
        self.hashCaption.setObjectName(u"hashCaption")

        self.recordLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.hashCaption)

        self.hashLabel = QLabel(SignDialog)
        self.hashLabel.setObjectName(u"hashLabel")
        self.hashLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.recordLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.hashLabel)

        self.meaningCaption = QLabel(SignDialog)
        self.meaningCaption.setObjectName(u"meaningCaption")

        self.recordLayout.setWidget(3, QFormLayout.ItemRole.LabelRole, self.meaningCaption)

        self.meaningLabel = QLabel(SignDialog)
        self.meaningLabel.setObjectName(u"meaningLabel")
        self.meaningLabel.setWordWrap(True)

        self.recordLayout.setWidget(3, QFormLayout.ItemRole.FieldRole, self.meaningLabel)


        self.mainLayout.addLayout(self.recordLayout)

        self.statementLabel = QLabel(SignDialog)
        self.statementLabel.setObjectName(u"statementLabel")
        self.statementLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.statementLabel)

        self.credentialsLayout = QFormLayout()
        self.credentialsLayout.setObjectName(u"credentialsLayout")
        self.usernameCaption = QLabel(SignDialog)
        self.usernameCaption.setObjectName(u"usernameCaption")

        self.credentialsLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.usernameCaption)

        self.usernameEdit = QLineEdit(SignDialog)
        self.usernameEdit.setObjectName(u"usernameEdit")

        self.credentialsLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.usernameEdit)

        self.passwordCaption = QLabel(SignDialog)
        self.passwordCaption.setObjectName(u"passwordCaption")

        self.credentialsLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.passwordCaption)

        self.passwordEdit = QLineEdit(SignDialog)
        self.passwordEdit.setObjectName(u"passwordEdit")
        self.passwordEdit.setEchoMode(QLineEdit.EchoMode.Password)

        self.credentialsLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.passwordEdit)


        self.mainLayout.addLayout(self.credentialsLayout)

        self.messageLabel = QLabel(SignDialog)
        self.messageLabel.setObjectName(u"messageLabel")
        self.messageLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.messageLabel)

        self.verticalSpacer = QSpacerItem(20, 6, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)

        self.mainLayout.addItem(self.verticalSpacer)

        self.buttonBox = QDialogButtonBox(SignDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setOrientation(Qt.Orientation.Horizontal)
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.mainLayout.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.usernameCaption.setBuddy(self.usernameEdit)
        self.passwordCaption.setBuddy(self.passwordEdit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.usernameEdit, self.passwordEdit)

        self.retranslateUi(SignDialog)
        self.buttonBox.rejected.connect(SignDialog.reject)

        QMetaObject.connectSlotsByName(SignDialog)
    # setupUi

    def retranslateUi(self, SignDialog):
        SignDialog.setWindowTitle(QCoreApplication.translate("SignDialog", u"Sign Electronically", None))
        self.documentCaption.setText(QCoreApplication.translate("SignDialog", u"Document:", None))
        self.revisionCaption.setText(QCoreApplication.translate("SignDialog", u"Revision:", None))
        self.hashCaption.setText(QCoreApplication.translate("SignDialog", u"Content hash:", None))
#if QT_CONFIG(tooltip)
        self.hashLabel.setToolTip(QCoreApplication.translate("SignDialog", u"The first characters of the SHA-256 of what you sign: its text, change summary and attached files", None))
#endif // QT_CONFIG(tooltip)
        self.meaningCaption.setText(QCoreApplication.translate("SignDialog", u"Meaning:", None))
        self.statementLabel.setText(QCoreApplication.translate("SignDialog", u"By entering my password I sign this revision electronically; this signature is the legally binding equivalent of my handwritten signature.", None))
        self.usernameCaption.setText(QCoreApplication.translate("SignDialog", u"&User name:", None))
        self.passwordCaption.setText(QCoreApplication.translate("SignDialog", u"&Password:", None))
    # retranslateUi

