// SPDX-License-Identifier: MIT
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace chatter::jsontext {

void appendString(QByteArray &out, QStringView text)
{
    static constexpr char Hex[] = "0123456789abcdef";
    out.append('"');
    qsizetype plainFrom = 0;
    // Runs of characters that need no escape are converted in one go.
    const auto flushPlain = [&](qsizetype upTo) {
        if (upTo > plainFrom)
            out.append(text.mid(plainFrom, upTo - plainFrom).toUtf8());
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        const char *escape = nullptr;
        switch (c) {
        case u'"':
            escape = "\\\"";
            break;
        case u'\\':
            escape = "\\\\";
            break;
        case u'\b':
            escape = "\\b";
            break;
        case u'\f':
            escape = "\\f";
            break;
        case u'\n':
            escape = "\\n";
            break;
        case u'\r':
            escape = "\\r";
            break;
        case u'\t':
            escape = "\\t";
            break;
        case 0xFEFF:
            escape = "\\ufeff";
            break;
        default:
            if (QChar::isHighSurrogate(c) && i + 1 < text.size() &&
                QChar::isLowSurrogate(text[i + 1].unicode())) {
                ++i; // a pair: plain UTF-8
                continue;
            }
            // Control characters, and a surrogate without its other half (escaped as Qt
            // does, so that the text reads back the same).
            if (c >= 0x20 && !QChar::isSurrogate(c))
                continue;
            break;
        }
        flushPlain(i);
        plainFrom = i + 1;
        if (escape) {
            out.append(escape);
        } else {
            const char code[] = {
                '\\', 'u', Hex[c >> 12], Hex[(c >> 8) & 0xF], Hex[(c >> 4) & 0xF], Hex[c & 0xF]};
            out.append(code, sizeof code);
        }
    }
    flushPlain(text.size());
    out.append('"');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        return;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        return;
    case QJsonValue::String:
        appendString(out, value.toString());
        return;
    default: {
        // Numbers (Qt's own formatting of integers and doubles), arrays and objects.
        const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        out.append(wrapped.constData() + 1, wrapped.size() - 2);
        return;
    }
    }
}

} // namespace chatter::jsontext
