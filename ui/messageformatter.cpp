// SPDX-License-Identifier: MIT
#include "messageformatter.h"

#include "chatmessage.h"

#include <QObject>
#include <QRegularExpression>

#include <cmath>

namespace chatter::ui {

namespace {

const QRegularExpression &linkPattern()
{
    // Trailing punctuation usually ends the sentence, not the URL.
    static const QRegularExpression re(QStringLiteral(R"(\bhttps?://[^\s<>"]+[^\s<>".,;:!?')\]])"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

QString escapeText(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

//! Escapes `text`, wrapping each whole-word occurrence of `nickname` in a highlight.
QString highlightMentions(const QString &text, const QString &nickname)
{
    if (nickname.isEmpty())
        return escapeText(text);
    const QRegularExpression word(QStringLiteral(R"((?<![\p{L}\p{N}_.\-])%1(?![\p{L}\p{N}_\-]))")
                                      .arg(QRegularExpression::escape(nickname)),
                                  QRegularExpression::CaseInsensitiveOption);
    QString html;
    qsizetype pos = 0;
    for (auto it = word.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        html += escapeText(text.mid(pos, match.capturedStart() - pos));
        html +=
            QStringLiteral("<span style=\"background-color:#ffd54f;color:#000\"><b>%1</b></span>")
                .arg(escapeText(match.captured()));
        pos = match.capturedEnd();
    }
    return html + escapeText(text.mid(pos));
}

} // namespace

double MessageFormatter::contrast(const QColor &a, const QColor &b)
{
    const auto luminance = [](const QColor &c) {
        const auto channel = [](float v) {
            return v <= 0.03928f ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) +
               0.0722 * channel(c.blueF());
    };
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor MessageFormatter::nickColor(const QString &nickname, const QColor &background)
{
    // qHash is seeded per process; a fixed FNV-1a over the UTF-16 code units keeps colours the
    // same across runs, and the same as the browser client's nickHue() (resources/web/util.js).
    quint32 hash = 2166136261u;
    for (QChar c : nickname)
        hash = (hash ^ c.unicode()) * 16777619u;
    const int hue = int(hash % 360);
    // Yellows and greens are light at any given HSL lightness: walk away from the background
    // until the name reads at 4.7:1 (a little above AA, for tinted row backgrounds).
    const bool onDark = background.lightness() < 128;
    int lightness = onDark ? 170 : 100;
    QColor color = QColor::fromHsl(hue, 160, lightness);
    while (contrast(color, background) < 4.7 && lightness > 0 && lightness < 255) {
        lightness += onDark ? 5 : -5;
        color = QColor::fromHsl(hue, 160, qBound(0, lightness, 255));
    }
    return color;
}

bool MessageFormatter::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < palette.color(QPalette::Text).lightness();
}

QColor MessageFormatter::dimColor(const QPalette &palette)
{
    // 60 % text, 40 % base: black on white gives #666 (5.7:1), white on #2a2a2a about 7:1.
    return blend(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.6f);
}

QColor MessageFormatter::blend(const QColor &base, const QColor &tint, float amount)
{
    return QColor::fromRgbF(base.redF() + (tint.redF() - base.redF()) * amount,
                            base.greenF() + (tint.greenF() - base.greenF()) * amount,
                            base.blueF() + (tint.blueF() - base.blueF()) * amount);
}

QColor MessageFormatter::alarmColor(bool onDark)
{
    return onDark ? QColor(255, 138, 128) : QColor(183, 28, 28);
}

QColor MessageFormatter::linkColor(const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor link = palette.color(QPalette::Link);
    if (contrast(link, base) >= 4.5)
        return link;
    return isDark(palette) ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x0b, 0x57, 0xd0);
}

QString MessageFormatter::bodyHtml(const QString &body, const QString &myNickname,
                                   const QPalette &palette)
{
    // The colour goes into the markup: QTextDocument fixes link colours when it parses.
    const QString link = linkColor(palette).name();
    QString html;
    qsizetype pos = 0;
    for (auto it = linkPattern().globalMatch(body); it.hasNext();) {
        const auto match = it.next();
        html += highlightMentions(body.mid(pos, match.capturedStart() - pos), myNickname);
        const QString url = match.captured().toHtmlEscaped();
        html += QStringLiteral("<a href=\"%1\" style=\"color:%2\">%1</a>").arg(url, link);
        pos = match.capturedEnd();
    }
    return html + highlightMentions(body.mid(pos), myNickname);
}

QString MessageFormatter::lineHtml(const client::ChatMessage &message, const QString &myNickname,
                                   const QPalette &palette, int hangingIndentPx)
{
    const QString dim = dimColor(palette).name();
    const QString time = message.at.toLocalTime().toString(QStringLiteral("HH:mm"));
    const QString stamp =
        QStringLiteral("<span style=\"color:%1\">%2</span>&nbsp;&nbsp;").arg(dim, time);
    // One block with a negative first-line indent: every later line hangs under the body.
    const QString block =
        QStringLiteral("<p style=\"margin:0; margin-left:%1px; text-indent:-%1px\">%2</p>")
            .arg(hangingIndentPx);
    if (message.isSystem()) {
        const QString arrow = message.kind == client::ChatMessage::Kind::Left ? QStringLiteral("←")
                                                                              : QStringLiteral("→");
        return block.arg(stamp + QStringLiteral("<i style=\"color:%1\">%2 %3</i>")
                                     .arg(dim, arrow, escapeText(message.body)));
    }
    const QString nick =
        QStringLiteral("<b style=\"color:%1\">%2</b>&nbsp;&nbsp;")
            .arg(nickColor(message.user, isDark(palette)).name(), message.user.toHtmlEscaped());
    QString body = bodyHtml(message.body, message.own ? QString() : myNickname, palette);
    if (message.pending)
        body += QStringLiteral("&nbsp;&nbsp;<i style=\"color:%1\">%2</i>")
                    .arg(dim, QObject::tr("(not sent yet — waiting for the connection)"));
    return block.arg(stamp + nick + body);
}

QString MessageFormatter::firstLink(const QString &body)
{
    return linkPattern().match(body).captured();
}

} // namespace chatter::ui
