// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QString>
#include <QStringList>

namespace chatter::server {

//! Who a nickname is: its display form (NFKC), its confusable skeletons (UTS #39, through ICU's
//! spoof checker) and whether it may be used at all (character rules, mixed scripts, reserved
//! names). Two nicknames that share a key are one identity for accounts, guests and bans.
//! Stateless and thread-safe: every call uses its own ICU checker.
class NicknamePolicy
{
public:
    struct Verdict
    {
        QString display;  //!< NFKC form: what others see
        QString skeleton; //!< skeleton of the case-folded display form (ALICE = alice)
        QString shape;    //!< case-folded skeleton of the display form (aIice = alice)
        //! Both keys (one when they agree): nicknames that share any key are one identity.
        QStringList keys() const;
    };

    //! The verdict on a nickname somebody asks for, or why it is refused.
    static Expected<Verdict> examine(const QString &nickname);
    //! The keys of any nickname, for looking it up (no refusal rules).
    static Verdict keys(const QString &nickname);
};

} // namespace chatter::server
