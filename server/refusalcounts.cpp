// SPDX-License-Identifier: MIT
#include "refusalcounts.h"

namespace chatter::server {

const char *RefusalCounts::label(RefusalReason reason)
{
    switch (reason) {
    case RefusalReason::Ban:
        return "ban";
    case RefusalReason::Origin:
        return "origin";
    case RefusalReason::Token:
        return "token";
    case RefusalReason::Session:
        return "session";
    case RefusalReason::AccountsRequired:
        return "accounts_required";
    case RefusalReason::Nickname:
        return "nickname";
    case RefusalReason::BadRequest:
    case RefusalReason::Count:
        break;
    }
    return "bad_request";
}

} // namespace chatter::server
