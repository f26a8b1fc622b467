// SPDX-License-Identifier: MIT
#include "sharedthrottle.h"

#include "mailbox.h"
#include "redisconnection.h"

#include <QDateTime>

namespace chatter::server {
namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 12);
}

} // namespace

// Buckets are hashes {t: tries left, at: ms of the last refill}, expiring once they would be
// full again. Both are checked before either is taken, as LoginThrottle does.
const QByteArray SharedThrottle::AcquireScript = R"lua(
local now = tonumber(ARGV[1])
local wait = 0
local tries = {}
for i = 1, #KEYS do
  local burst = tonumber(ARGV[2 * i])
  local refill = tonumber(ARGV[2 * i + 1])
  local bucket = redis.call('HMGET', KEYS[i], 't', 'at')
  local t = tonumber(bucket[1]) or burst
  local at = tonumber(bucket[2]) or now
  t = math.min(burst, t + math.max(0, now - at) / refill)
  tries[i] = t
  if t < 1 then
    wait = math.max(wait, math.ceil((1 - t) * refill / 1000 - 0.000001))
  end
end
if wait > 0 then
  return math.max(1, wait)
end
for i = 1, #KEYS do
  local burst = tonumber(ARGV[2 * i])
  local refill = tonumber(ARGV[2 * i + 1])
  redis.call('HSET', KEYS[i], 't', tostring(tries[i] - 1), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst * refill))
end
return 0
)lua";

const QByteArray SharedThrottle::RefundScript = R"lua(
for i = 1, #KEYS do
  local t = tonumber(redis.call('HGET', KEYS[i], 't'))
  if t then
    redis.call('HSET', KEYS[i], 't', tostring(math.min(tonumber(ARGV[i]), t + 1)))
  end
end
return 0
)lua";

SharedThrottle::SharedThrottle(QByteArray name, LoginThrottle::Limit perAddress,
                               LoginThrottle::Limit perAccount)
    : m_name(std::move(name)), m_address(perAddress), m_account(perAccount),
      m_local(perAddress, perAccount)
{}

void SharedThrottle::useRedis(Mailbox *clusterMailbox, RedisConnection *commands, QByteArray prefix)
{
    m_commands = commands;
    m_prefix = std::move(prefix);
    m_mailbox.store(clusterMailbox, std::memory_order_release);
}

void SharedThrottle::stopRedis()
{
    m_mailbox.store(nullptr, std::memory_order_release);
}

QList<QByteArray> SharedThrottle::keysOf(const QString &address, const QString &account) const
{
    const QByteArray base = m_prefix + "rl:" + m_name + ':';
    QList<QByteArray> keys{base + "a:" + address.toUtf8()};
    if (!account.isEmpty())
        keys.append(base + "k:" + account.toUtf8());
    return keys;
}

void SharedThrottle::acquire(const QString &address, const QString &account, Done done)
{
    Mailbox *mailbox = m_mailbox.load(std::memory_order_acquire);
    if (!mailbox) {
        done(m_local.acquire(address, account, nowMs()));
        return;
    }
    mailbox->post([this, address, account, done = std::move(done)] {
        if (!m_commands->isConnected()) {
            done(m_local.acquire(address, account, nowMs()));
            return;
        }
        const QList<QByteArray> keys = keysOf(address, account);
        QList<QByteArray> command{"EVAL", AcquireScript, QByteArray::number(keys.size())};
        command += keys;
        command.append(QByteArray::number(nowMs()));
        command.append(number(m_address.burst));
        command.append(number(m_address.refillSecs * 1000));
        if (keys.size() > 1) {
            command.append(number(m_account.burst));
            command.append(number(m_account.refillSecs * 1000));
        }
        m_commands->command(command, [this, address, account, done](const RedisReply &reply) {
            if (reply.type == RedisReply::Type::Integer)
                done(int(reply.integer));
            else // Redis went away meanwhile, or refused the script: this node's budget
                done(m_local.acquire(address, account, nowMs()));
        });
    });
}

void SharedThrottle::refund(const QString &address, const QString &account)
{
    // Both: the try was taken in one of them, and a refund caps at the burst.
    m_local.refund(address, account);
    Mailbox *mailbox = m_mailbox.load(std::memory_order_acquire);
    if (!mailbox)
        return;
    mailbox->post([this, address, account] {
        const QList<QByteArray> keys = keysOf(address, account);
        QList<QByteArray> command{"EVAL", RefundScript, QByteArray::number(keys.size())};
        command += keys;
        command.append(number(m_address.burst));
        if (keys.size() > 1)
            command.append(number(m_account.burst));
        m_commands->command(command);
    });
}

} // namespace chatter::server
