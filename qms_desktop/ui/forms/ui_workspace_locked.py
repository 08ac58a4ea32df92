# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'workspace_locked.ui'
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
    QFormLayout, QHBoxLayout, QLabel, QSizePolicy,
    QSpacerItem, QVBoxLayout, QWidget)

class Ui_WorkspaceLockedDialog(object):
    def setupUi(self, WorkspaceLockedDialog):
        if not WorkspaceLockedDialog.objectName():
            WorkspaceLockedDialog.setObjectName(u"WorkspaceLockedDialog")
        WorkspaceLockedDialog.resize(480, 260)
        self.mainLayout = QHBoxLayout(WorkspaceLockedDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.iconLabel = QLabel(WorkspaceLockedDialog)
        self.iconLabel.setObjectName(u"iconLabel")
        self.iconLabel.setAlignment(Qt.AlignmentFlag.AlignHCenter|Qt.AlignmentFlag.AlignTop)

        self.mainLayout.addWidget(self.iconLabel)

        self.contentLayout = QVBoxLayout()
        self.contentLayout.setObjectName(u"contentLayout")
        self.messageLabel = QLabel(WorkspaceLockedDialog)
        self.messageLabel.setObjectName(u"messageLabel")
        self.messageLabel.setWordWrap(True)
        self.messageLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.contentLayout.addWidget(self.messageLabel)

        self.holderWidget = QWidget(WorkspaceLockedDialog)
        self.holderWidget.setObjectName(u"holderWidget")
        self.holderLayout = QFormLayout(self.holderWidget)
        self.holderLayout.setObjectName(u"holderLayout")
        self.holderLayout.setContentsMargins(0, 0, 0, 0)
        self.userCaption = QLabel(self.holderWidget)
        self.userCaption.setObjectName(u"userCaption")

        self.holderLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.userCaption)

        self.userLabel = QLabel(self.holderWidget)
        self.userLabel.setObjectName(u"userLabel")
        self.userLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.holderLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.userLabel)

        self.hostCaption = QLabel(self.holderWidget)
        self.hostCaption.setObjectName(u"hostCaption")

        self.holderLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.hostCaption)

        self.hostLabel = QLabel(self.holderWidget)
        self.hostLabel.setObjectName(u"hostLabel")
        self.hostLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.holderLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.hostLabel)

        self.sinceCaption = QLabel(self.holderWidget)
        self.sinceCaption.setObjectName(u"sinceCaption")

        self.holderLayout.setWidget(2, QFormLayout.ItemRole.LabelRole, self.sinceCaption)

        self.sinceLabel = QLabel(self.holderWidget)
        self.sinceLabel.setObjectName(u"sinceLabel")
        self.sinceLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.holderLayout.setWidget(2, QFormLayout.ItemRole.FieldRole, self.sinceLabel)


        self.contentLayout.addWidget(self.holderWidget)

        self.adviceLabel = QLabel(WorkspaceLockedDialog)
        self.adviceLabel.setObjectName(u"adviceLabel")
        self.adviceLabel.setWordWrap(True)

        self.contentLayout.addWidget(self.adviceLabel)

        self.verticalSpacer = QSpacerItem(20, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.contentLayout.addItem(self.verticalSpacer)

        self.buttonBox = QDialogButtonBox(WorkspaceLockedDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setOrientation(Qt.Orientation.Horizontal)
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Open)

        self.contentLayout.addWidget(self.buttonBox)


        self.mainLayout.addLayout(self.contentLayout)


        self.retranslateUi(WorkspaceLockedDialog)
        self.buttonBox.accepted.connect(WorkspaceLockedDialog.accept)
        self.buttonBox.rejected.connect(WorkspaceLockedDialog.reject)

        QMetaObject.connectSlotsByName(WorkspaceLockedDialog)
    # setupUi

    def retranslateUi(self, WorkspaceLockedDialog):
        WorkspaceLockedDialog.setWindowTitle(QCoreApplication.translate("WorkspaceLockedDialog", u"Workspace in Use", None))
        self.userCaption.setText(QCoreApplication.translate("WorkspaceLockedDialog", u"User:", None))
        self.hostCaption.setText(QCoreApplication.translate("WorkspaceLockedDialog", u"Computer:", None))
        self.sinceCaption.setText(QCoreApplication.translate("WorkspaceLockedDialog", u"Since:", None))
        self.adviceLabel.setText(QCoreApplication.translate("WorkspaceLockedDialog", u"Open it read-only to look at it, search it and save copies. To edit it, wait until it is closed there.", None))
    # retranslateUi

