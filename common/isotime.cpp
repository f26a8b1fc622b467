// SPDX-License-Identifier: MIT
#include "isotime.h"

#include <QDateTime>

#include <chrono>

namespace chatter::isotime {
namespace {

void put(char16_t *&out, unsigned value, int digits)
{
    for (int i = digits - 1; i >= 0; --i) {
        out[i] = char16_t(u'0' + value % 10);
        value /= 10;
    }
    out += digits;
}

} // namespace

QString fromMsecs(qint64 ms)
{
    using namespace std::chrono;
    const sys_time<milliseconds> at{milliseconds(ms)};
    const sys_days day = floor<days>(at);
    const year_month_day date{day};
    const int year = int(date.year());
    if (year < 1 || year > 9999)
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    const hh_mm_ss time{at - day};
    QString text(24, Qt::Uninitialized);
    char16_t *out = reinterpret_cast<char16_t *>(text.data());
    put(out, unsigned(year), 4);
    *out++ = u'-';
    put(out, unsigned(date.month()), 2);
    *out++ = u'-';
    put(out, unsigned(date.day()), 2);
    *out++ = u'T';
    put(out, unsigned(time.hours().count()), 2);
    *out++ = u':';
    put(out, unsigned(time.minutes().count()), 2);
    *out++ = u':';
    put(out, unsigned(time.seconds().count()), 2);
    *out++ = u'.';
    put(out, unsigned(time.subseconds().count()), 3);
    *out++ = u'Z';
    return text;
}

QString now()
{
    return fromMsecs(QDateTime::currentMSecsSinceEpoch());
}

} // namespace chatter::isotime
