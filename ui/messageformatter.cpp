// SPDX-License-Identifier: MIT
#include "messageformatter.h"

#include "chatmessage.h"
#include "messagemarkup.h"

#include <QFontDatabase>
#include <QLocale>
#include <QObject>
#include <QRegularExpression>

#include <cmath>

namespace chatter::ui {

namespace {

using markup::Token;

QString escapeText(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QString monospaceFamily()
{
    return QFontDatabase::systemFont(QFontDatabase::FixedFont).family().toHtmlEscaped();
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

int MessageFormatter::nickHue(const QString &nickname)
{
    // qHash is seeded per process; a fixed FNV-1a over the UTF-16 code units keeps colours the
    // same across runs, and the same as the browser client's.
    quint32 hash = 2166136261u;
    for (QChar c : nickname)
        hash = (hash ^ c.unicode()) * 16777619u;
    return int(hash % 360);
}

QColor MessageFormatter::nickColor(const QString &nickname, const QColor &background)
{
    const int hue = nickHue(nickname);
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

QColor MessageFormatter::avatarColor(const QString &nickname)
{
    // The browser's avatar is oklch(0.6 0.14 hue) under white letters; in HSL the same hue at
    // a middle saturation, darkened until the white initials read at AA.
    const int hue = nickHue(nickname);
    int lightness = 150;
    QColor color = QColor::fromHsl(hue, 120, lightness);
    while (contrast(color, Qt::white) < 4.6 && lightness > 0) {
        lightness -= 4;
        color = QColor::fromHsl(hue, 120, qMax(0, lightness));
    }
    return color;
}

QString MessageFormatter::initials(const QString &nickname)
{
    static const QRegularExpression separators(QStringLiteral(R"([\s_.\-]+)"));
    const QStringList parts = nickname.split(separators, Qt::SkipEmptyParts);
    QString letters;
    for (const QString &part : parts) {
        // A surrogate pair (an emoji, a letter outside the BMP) is one letter.
        letters += part.at(0).isHighSurrogate() && part.size() > 1 ? part.left(2) : part.left(1);
        if (letters.size() >= 2 || parts.size() == 1)
            break;
    }
    if (letters.isEmpty())
        letters = nickname.left(1);
    return letters.toUpper();
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

QColor MessageFormatter::accentInk(const QPalette &palette)
{
    // The browser's --accent-ink: #2856b5 light, #93b3f5 dark.
    return isDark(palette) ? QColor(0x93, 0xb3, 0xf5) : QColor(0x28, 0x56, 0xb5);
}

QString MessageFormatter::bodyHtml(const QString &body, const QString &myNickname,
                                   const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QString codeBackground = blend(base, palette.color(QPalette::Text), 0.09f).name();
    const QString mono = monospaceFamily();
    // Inline runs go into paragraphs that keep the author's spaces; a code block is a block
    // of its own between them.
    const QString paragraph = QStringLiteral("<p style=\"margin:0; white-space:pre-wrap\">%1</p>");
    QString html;
    QString inlineRun;
    const auto flush = [&] {
        if (!inlineRun.isEmpty())
            html += paragraph.arg(inlineRun);
        inlineRun.clear();
    };
    const QString myFolded = myNickname.toCaseFolded();
    for (const Token &token : markup::tokenize(body)) {
        const QString text = token.text.toHtmlEscaped();
        switch (token.kind) {
        case Token::Kind::Text:
            inlineRun += escapeText(token.text);
            break;
        case Token::Kind::Code:
            inlineRun +=
                QStringLiteral("<code style=\"font-family:'%1'; background-color:%2\">%3</code>")
                    .arg(mono, codeBackground, text);
            break;
        case Token::Kind::Pre:
            flush();
            // A one-cell table: QTextDocument pads table cells, not blocks.
            html += QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"6\" "
                                   "style=\"margin-top:3px; margin-bottom:3px\" bgcolor=\"%1\">"
                                   "<tr><td><pre style=\"font-family:'%2'; margin:0\">%3</pre>"
                                   "</td></tr></table>")
                        .arg(codeBackground, mono, text);
            break;
        case Token::Kind::Strong:
            inlineRun += QStringLiteral("<b>%1</b>").arg(text);
            break;
        case Token::Kind::Em:
            inlineRun += QStringLiteral("<i>%1</i>").arg(text);
            break;
        case Token::Kind::Link:
            // The colour goes into the markup: QTextDocument fixes link colours when it parses.
            inlineRun += QStringLiteral("<a href=\"%1\" style=\"color:%2\">%1</a>")
                             .arg(text, linkColor(palette).name());
            break;
        case Token::Kind::Mention: {
            QString name = token.text;
            if (name.startsWith(QLatin1Char('@')))
                name.remove(0, 1);
            const bool mine = !myFolded.isEmpty() && name.toCaseFolded() == myFolded;
            // Mine in the amber of a mentioning row, others in the accent (the browser's
            // mark.mention).
            const QString style = mine ? QStringLiteral("background-color:#ffd54f; color:#000")
                                       : QStringLiteral("color:%1").arg(accentInk(palette).name());
            inlineRun += QStringLiteral("<span class=\"mention\" style=\"%1; font-weight:600\">"
                                        "%2</span>")
                             .arg(style, text);
            break;
        }
        }
    }
    flush();
    return html;
}

QString MessageFormatter::messageHtml(const client::ChatMessage &message, const QString &myNickname,
                                      const QPalette &palette)
{
    const QString dim = dimColor(palette).name();
    QStringList notes;
    if (message.editedAt.isValid())
        notes << QStringLiteral("<a href=\"%1\" style=\"color:%2; text-decoration:none\">"
                                "<small>%3</small></a>")
                     .arg(EditedAnchor, dim, QObject::tr("(edited)"));
    if (message.pending)
        notes << QStringLiteral("<i style=\"color:%1\">%2</i>")
                     .arg(dim, QObject::tr("(not sent yet — waiting for the connection)"));
    QString html = bodyHtml(message.body, message.own ? QString() : myNickname, palette);
    if (notes.isEmpty())
        return html;
    // The notes follow the last line of text, or stand under a code block.
    const QString gap = QStringLiteral("&nbsp;&nbsp;");
    if (html.endsWith(QLatin1String("</p>")))
        html.insert(html.size() - 4, gap + notes.join(gap));
    else
        html += QStringLiteral("<p style=\"margin:0\">%1</p>").arg(notes.join(gap));
    return html;
}

QString MessageFormatter::firstLink(const QString &body)
{
    for (const auto &token : markup::tokenize(body)) {
        if (token.kind == markup::Token::Kind::Link)
            return token.text;
    }
    return {};
}

} // namespace chatter::ui
