// SPDX-License-Identifier: MIT
#pragma once

#include "accountdirectory.h"
#include "channel.h"
#include "conversations.h"
#include "expected.h"

#include <QString>

namespace chatter::server {

class ChannelContext;

//! A private room's membership events on its room channel (docs/conversations.md):
//! `set_private`, `invite` and `remove`, who may send them (the owner or an admin; anyone may
//! remove themselves), and their store round trip, answered after the commit. Made for one
//! event by the room channel on its worker thread; what outlives it goes by value.
class RoomMembership
{
public:
    RoomMembership(ChannelContext &context, const ConnectInfo &info, QString room, QString topic);

    HandleResult setPrivate(const InboundEvent &in);
    HandleResult invite(const InboundEvent &in);
    HandleResult remove(const InboundEvent &in);

private:
    //! The owner of this private room, or an admin.
    bool mayManage() const;
    struct Target
    {
        Conversations::PrivateRoom room;
        AccountDirectory::Account account;
    };
    //! The private room of this channel and the account `invite`/`remove` names, or the
    //! refusal: "not a private room", "no such account".
    Expected<Target> targetOf(const InboundEvent &in);

    ChannelContext &m_context;
    const ConnectInfo &m_info;
    QString m_room; //!< the conversation key
    QString m_topic;
};

} // namespace chatter::server
