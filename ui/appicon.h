// SPDX-License-Identifier: MIT
#pragma once

#include <QIcon>

namespace chatter::ui {

//! The application and tray icon: a speech bubble, drawn so no image files need shipping.
QIcon appIcon();

} // namespace chatter::ui
