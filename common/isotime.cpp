// SPDX-License-Identifier: MIT
#include "isotime.h"

#include <QDateTime>

#include <algorithm>
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

//! The value of `count` digits at `at`, or -1 if one of them is not a digit.
int digits(QStringView text, qsizetype at, int count)
{
    int value = 0;
    for (qsizetype i = at; i < at + count; ++i) {
        const char16_t c = text[i].unicode();
        if (c < u'0' || c > u'9')
            return -1;
        value = value * 10 + (c - u'0');
    }
    return value;
}

bool isWireForm(QStringView text)
{
    return text.size() == 24 && text[4] == u'-' && text[7] == u'-' && text[10] == u'T' &&
           text[13] == u':' && text[16] == u':' && text[19] == u'.' && text[23] == u'Z';
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

qint64 toMsecs(QStringView text)
{
    if (isWireForm(text)) {
        using namespace std::chrono;
        const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
        const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
        const int ms = digits(text, 20, 3);
        const bool fields = y >= 1 && mo >= 1 && d >= 1; // no digit is -1
        const year_month_day date{year(y), month(unsigned(std::max(mo, 1))),
                                  day(unsigned(std::max(d, 1)))};
        if (fields && date.ok() && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60 &&
            ms >= 0) {
            const sys_days days{date};
            return duration_cast<milliseconds>(days.time_since_epoch()).count() +
                   ((h * 60 + mi) * 60 + s) * qint64(1000) + ms;
        }
    }
    const QDateTime at = QDateTime::fromString(text.toString(), Qt::ISODateWithMs);
    return at.isValid() ? at.toMSecsSinceEpoch() : 0;
}

} // namespace chatter::isotime
