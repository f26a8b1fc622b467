// SPDX-License-Identifier: MIT
#include "messageformatter.h"

#include "chatmessage.h"

#include <QRegularExpression>

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

QColor MessageFormatter::nickColor(const QString &nickname)
{
    // qHash is seeded per process; a fixed FNV-1a over the UTF-16 code units keeps colours the
    // same across runs, and the same as the browser client's nickHue() (resources/web/util.js).
    quint32 hash = 2166136261u;
    for (QChar c : nickname)
        hash = (hash ^ c.unicode()) * 16777619u;
    return QColor::fromHsl(int(hash % 360), 160, 95);
}

QString MessageFormatter::bodyHtml(const QString &body, const QString &myNickname)
{
    QString html;
    qsizetype pos = 0;
    for (auto it = linkPattern().globalMatch(body); it.hasNext();) {
        const auto match = it.next();
        html += highlightMentions(body.mid(pos, match.capturedStart() - pos), myNickname);
        const QString url = match.captured().toHtmlEscaped();
        html += QStringLiteral("<a href=\"%1\">%1</a>").arg(url);
        pos = match.capturedEnd();
    }
    return html + highlightMentions(body.mid(pos), myNickname);
}

QString MessageFormatter::lineHtml(const client::ChatMessage &message, const QString &myNickname)
{
    const QString time = message.at.toLocalTime().toString(QStringLiteral("HH:mm"));
    const QString stamp =
        QStringLiteral("<span style=\"color:#8a8a8a\">%1</span>&nbsp;&nbsp;").arg(time);
    if (message.isSystem()) {
        const QString arrow = message.kind == client::ChatMessage::Kind::Left ? QStringLiteral("←")
                                                                              : QStringLiteral("→");
        return stamp + QStringLiteral("<i style=\"color:#8a8a8a\">%1 %2</i>")
                           .arg(arrow, escapeText(message.body));
    }
    const QString nick = QStringLiteral("<b style=\"color:%1\">%2</b>&nbsp;&nbsp;")
                             .arg(nickColor(message.user).name(), message.user.toHtmlEscaped());
    return stamp + nick + bodyHtml(message.body, message.own ? QString() : myNickname);
}

QString MessageFormatter::firstLink(const QString &body)
{
    return linkPattern().match(body).captured();
}

} // namespace chatter::ui
