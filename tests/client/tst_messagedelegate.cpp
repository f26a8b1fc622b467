// SPDX-License-Identifier: MIT
// How the desktop client paints messages (offscreen): the formatting of
// docs/conversations.md rendered per markup token, avatars, grouping, replies' quotes,
// "(edited)", deletions and reaction chips, with the hit-testing the actions build on.
#include "darkpalette.h"
#include "messagedelegate.h"
#include "messageformatter.h"
#include "messagemarkup.h"
#include "messagemodel.h"
#include "messageview.h"

#include <QApplication>
#include <QFile>
#include <QHelpEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QToolTip>

#include <cmath>

using namespace chatter;
using namespace chatter::ui;
using markup::Token;

namespace {

client::ChatMessage chat(qint64 id, const QString &user, const QString &body,
                         const QDateTime &at = QDateTime(QDate(2026, 12, 1), QTime(9, 0)))
{
    client::ChatMessage m;
    m.id = id;
    m.user = user;
    m.body = body;
    m.at = at;
    return m;
}

QString tagOf(Token::Kind kind)
{
    switch (kind) {
    case Token::Kind::Text:
        return {};
    case Token::Kind::Code:
        return QStringLiteral("code");
    case Token::Kind::Pre:
        return QStringLiteral("pre");
    case Token::Kind::Strong:
        return QStringLiteral("b");
    case Token::Kind::Em:
        return QStringLiteral("i");
    case Token::Kind::Link:
        return QStringLiteral("a");
    case Token::Kind::Mention:
        return QStringLiteral("span");
    }
    return {};
}

//! A shown view of `model`, laid out, at a fixed size.
struct ShownView
{
    explicit ShownView(client::MessageModel *model, const QPalette &palette = QPalette())
    {
        view.setPalette(palette);
        view.messageDelegate()->setMyNickname(QStringLiteral("alice"));
        view.setModel(model);
        view.resize(560, 420);
        view.show();
    }
    MessageView view;
};

QColor pixel(const QImage &image, const QPoint &p)
{
    const qreal dpr = image.devicePixelRatio();
    return image.pixelColor(int(p.x() * dpr), int(p.y() * dpr));
}

bool near(const QColor &a, const QColor &b, int tolerance = 6)
{
    return qAbs(a.red() - b.red()) <= tolerance && qAbs(a.green() - b.green()) <= tolerance &&
           qAbs(a.blue() - b.blue()) <= tolerance;
}

} // namespace

Q_DECLARE_METATYPE(QList<chatter::markup::Token>)

class tst_MessageDelegate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void formattingPerToken_data();
    void formattingPerToken();
    void avatarInitialsAndColour_data();
    void avatarInitialsAndColour();
    void avatarIsPaintedInTheAuthorsHue();
    void groupedLinesHaveNoHeader();
    void replyShowsItsQuoteAndReportsItsParent();
    void deletedParentIsSaidInTheQuote();
    void showMessageScrollsToAParentFarAbove();
    void reactionChipsCountHighlightAndReportTheirEmoji();
    void editedMarkShowsWhenOnHover();
    void deletedMessageIsOneDimItalicLine();
    void daySeparatorAboveTheFirstMessageOfADay();
    void dataChangesRelayoutTheRows();
};

void tst_MessageDelegate::formattingPerToken_data()
{
    QTest::addColumn<QString>("body");
    //! The tokens the body must render as: (kind, text) pairs.
    QTest::addColumn<QList<Token>>("tokens");
    // The shared cases of both clients (docs/conversations.md, Formatting), with the tokens
    // they expect.
    QFile file(QStringLiteral(CHATTER_MARKUP_CASES));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QJsonArray cases = QJsonDocument::fromJson(file.readAll()).array();
    QVERIFY(!cases.isEmpty());
    QHash<QString, Token::Kind> kinds;
    for (auto kind : {Token::Kind::Text, Token::Kind::Code, Token::Kind::Pre, Token::Kind::Strong,
                      Token::Kind::Em, Token::Kind::Link, Token::Kind::Mention})
        kinds.insert(markup::kindName(kind), kind);
    for (const QJsonValue &value : cases) {
        const QJsonObject c = value.toObject();
        QList<Token> tokens;
        for (const QJsonValue &t : c.value(QStringLiteral("tokens")).toArray()) {
            const QString kind = t.toObject().value(QStringLiteral("t")).toString();
            QVERIFY2(kinds.contains(kind), qPrintable(kind));
            tokens.append({kinds.value(kind), t.toObject().value(QStringLiteral("s")).toString()});
        }
        QTest::newRow(qPrintable(c.value(QStringLiteral("name")).toString()))
            << c.value(QStringLiteral("body")).toString() << tokens;
    }
    // And what a hostile body tries, with the tokens the shared parser makes of it.
    int hostile = 0;
    for (const char *body :
         {"<b>bold</b> <script>alert(1)</script> & <img src=x>",
          "`<b>x</b>` and **<i>y</i>** and *<u>z</u>*", "```html\n<a href=\"x\">x</a>\n```",
          "https://x.org/\"><script>1</script>", "@alice<b> hi"})
        QTest::addRow("hostile %d", ++hostile)
            << QString::fromUtf8(body) << markup::tokenize(QString::fromUtf8(body));
}

void tst_MessageDelegate::formattingPerToken()
{
    QFETCH(QString, body);
    QFETCH(QList<Token>, tokens);
    const QString html = MessageFormatter::bodyHtml(body, QString());
    qsizetype from = 0;
    for (const Token &token : tokens) {
        // Each token's text, escaped, inside its tag, in the order of the tokens.
        QString escaped = token.text.toHtmlEscaped();
        if (token.kind != Token::Kind::Pre)
            escaped.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
        const QString tag = tagOf(token.kind);
        const QRegularExpression pattern(tag.isEmpty()
                                             ? QRegularExpression::escape(escaped)
                                             : QStringLiteral("<%1( [^>]*)?>%2</%1>")
                                                   .arg(tag, QRegularExpression::escape(escaped)));
        const auto match = pattern.match(html, from);
        QVERIFY2(match.hasMatch(),
                 qPrintable(QStringLiteral("%1 \"%2\" not in <%3>: %4")
                                .arg(markup::kindName(token.kind), token.text, tag, html)));
        from = match.capturedEnd();
        if (token.kind == Token::Kind::Link)
            QVERIFY2(html.contains(QStringLiteral("href=\"%1\"").arg(escaped)), qPrintable(html));
    }
    // No `<` of the body survives as markup: with the formatter's own tags taken out, none
    // is left.
    static const QRegularExpression ownTags(
        QStringLiteral(R"(</?(p|br|code|pre|b|i|a|span|table|tr|td|small)( [^<>]*)?>)"));
    QString rest = html;
    rest.remove(ownTags);
    QVERIFY2(!rest.contains(QLatin1Char('<')), qPrintable(rest));
    QVERIFY2(!rest.contains(QLatin1Char('>')), qPrintable(rest));
    // What the document shows is every token's text.
    QTextDocument doc;
    doc.setHtml(html);
    const QString shown = doc.toPlainText();
    for (const Token &token : tokens) {
        for (const QString &line : token.text.split(QLatin1Char('\n')))
            QVERIFY2(shown.contains(line),
                     qPrintable(QStringLiteral("\"%1\" not shown in \"%2\"").arg(line, shown)));
    }
}

void tst_MessageDelegate::avatarInitialsAndColour_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("initials");
    QTest::newRow("one word") << "alice"
                              << "A";
    QTest::newRow("underscore") << "ann_lee"
                                << "AL";
    QTest::newRow("dots, three parts") << "bob.m.smith"
                                       << "BM";
    QTest::newRow("dash") << "x-ray"
                          << "XR";
    QTest::newRow("non-ASCII") << QStringLiteral("\u00fcrsula") << QStringLiteral("\u00dc");
    QTest::newRow("leading separator") << "_bot"
                                       << "B";
}

void tst_MessageDelegate::avatarInitialsAndColour()
{
    QFETCH(QString, nick);
    QFETCH(QString, initials);
    QCOMPARE(MessageFormatter::initials(nick), initials);
    // Stable per nickname (the browser's hue), distinct between nicknames, and white letters
    // read on it at AA.
    const QColor colour = MessageFormatter::avatarColor(nick);
    QCOMPARE(MessageFormatter::avatarColor(nick), colour);
    QCOMPARE(colour.hslHue(), MessageFormatter::nickHue(nick));
    QVERIFY(MessageFormatter::avatarColor(nick + QLatin1Char('2')) != colour);
    QVERIFY2(MessageFormatter::contrast(colour, Qt::white) >= 4.5, qPrintable(colour.name()));
}

void tst_MessageDelegate::avatarIsPaintedInTheAuthorsHue()
{
    client::MessageModel model;
    model.append(chat(1, "bob", "hello"));
    model.append(chat(2, "carol", "hi", QDateTime(QDate(2026, 12, 1), QTime(9, 1))));
    ShownView shown(&model);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    const QImage image = shown.view.viewport()->grab().toImage();
    for (int row = 0; row < 2; ++row) {
        const QRect avatar = shown.view.avatarRect(row);
        QVERIFY(!avatar.isEmpty());
        QVERIFY(avatar.width() == avatar.height());
        const QString user = model.index(row, 0).data(client::MessageModel::UserRole).toString();
        // Inside the circle, clear of the letter; outside its corner, the background.
        const QPoint inside(avatar.left() + avatar.width() / 5, avatar.center().y());
        QVERIFY2(near(pixel(image, inside), MessageFormatter::avatarColor(user)),
                 qPrintable(pixel(image, inside).name()));
        QVERIFY(!near(pixel(image, avatar.topLeft() + QPoint(1, 1)),
                      MessageFormatter::avatarColor(user)));
    }
}

void tst_MessageDelegate::groupedLinesHaveNoHeader()
{
    const QDateTime nine(QDate(2026, 12, 1), QTime(9, 0));
    client::MessageModel model;
    model.append(chat(1, "bob", "first", nine));
    model.append(chat(2, "bob", "second, two minutes on", nine.addSecs(120)));
    model.append(chat(3, "bob", "third, ten minutes on", nine.addSecs(720)));
    model.append(chat(4, "carol", "another author", nine.addSecs(730)));
    ShownView shown(&model);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    QVERIFY(model.index(1, 0).data(client::MessageModel::GroupedRole).toBool());
    QVERIFY(!model.index(2, 0).data(client::MessageModel::GroupedRole).toBool());
    // The second line has neither avatar nor header, and is that much shorter than a one-line
    // message with them.
    QVERIFY(shown.view.avatarRect(1).isNull());
    QVERIFY(!shown.view.avatarRect(2).isNull());
    QVERIFY(!shown.view.avatarRect(3).isNull());
    const int grouped = shown.view.visualRect(model.index(1, 0)).height();
    const int headed = shown.view.visualRect(model.index(2, 0)).height();
    QVERIFY2(
        grouped + QFontMetrics(shown.view.font()).height() <= headed,
        qPrintable(QStringLiteral("grouped %1 px, with header %2 px").arg(grouped).arg(headed)));
    // Its text sits in the same column as the header's message above.
    QCOMPARE(shown.view.bodyRect(1).left(), shown.view.bodyRect(0).left());
    // Its time shows in the gutter on hover only (the browser's side time).
    const auto gutterInk = [&](bool hovered) {
        QStyleOptionViewItem option;
        option.initFrom(&shown.view);
        option.font = shown.view.font();
        option.rect = QRect(QPoint(0, 0), shown.view.visualRect(model.index(1, 0)).size());
        option.state &=
            ~(QStyle::State_MouseOver | QStyle::State_Selected | QStyle::State_HasFocus);
        if (hovered)
            option.state |= QStyle::State_MouseOver;
        QImage image(option.rect.size(), QImage::Format_RGB32);
        image.fill(option.palette.color(QPalette::Base));
        QPainter painter(&image);
        shown.view.messageDelegate()->paint(&painter, option, model.index(1, 0));
        painter.end();
        const QRect gutter =
            shown.view.messageDelegate()->geometry(option, model.index(1, 0)).gutter;
        int ink = 0;
        const QColor background =
            image.pixelColor(option.rect.right() - 2, option.rect.bottom() - 1);
        for (int y = gutter.top(); y <= gutter.bottom(); ++y) {
            for (int x = gutter.left(); x <= gutter.right(); ++x)
                ink += near(image.pixelColor(x, y), background, 30) ? 0 : 1;
        }
        return ink;
    };
    QCOMPARE(gutterInk(false), 0);
    QVERIFY(gutterInk(true) > 10);
    // And the pixels agree: nothing painted in the avatar column of the grouped line.
    const QImage image = shown.view.viewport()->grab().toImage();
    const QRect avatar0 = shown.view.avatarRect(0);
    const QRect row1 = shown.view.visualRect(model.index(1, 0));
    const QColor base = shown.view.palette().color(QPalette::Base);
    for (int y = row1.top(); y <= row1.bottom(); ++y) {
        for (int x = avatar0.left(); x <= avatar0.right(); ++x)
            QVERIFY2(
                near(pixel(image, {x, y}), base, 2),
                qPrintable(
                    QStringLiteral("%1 at %2,%3").arg(pixel(image, {x, y}).name()).arg(x).arg(y)));
    }
}

void tst_MessageDelegate::replyShowsItsQuoteAndReportsItsParent()
{
    client::MessageModel model;
    model.append(chat(40, "bob", "is the **build** green?\nasking for the `release`"));
    client::ChatMessage reply = chat(41, "alice", "yes, since 09:00");
    reply.replyTo = 40;
    reply.quoteUser = "bob";
    reply.quoteBody = "is the **build** green?\nasking for the `release`";
    model.append(reply);
    ShownView shown(&model);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    QVERIFY(shown.view.quoteRect(0).isNull());
    const QRect quote = shown.view.quoteRect(1);
    QVERIFY(!quote.isEmpty());
    // Above the reply's body, inside its row.
    QVERIFY(quote.bottom() < shown.view.bodyRect(1).top());
    QVERIFY(shown.view.visualRect(model.index(1, 0)).contains(quote));
    QCOMPARE(shown.view.quoteAt(quote.center()), qint64(40));
    QCOMPARE(shown.view.quoteAt(shown.view.bodyRect(1).topLeft() + QPoint(2, 2)), qint64(0));
    QCOMPARE(shown.view.quoteAt(shown.view.bodyRect(0).topLeft() + QPoint(2, 2)), qint64(0));
    // The words without their markup, on one line, as the browser shows a quote.
    QCOMPARE(MessageDelegate::quoteText(model.index(1, 0)),
             QStringLiteral("is the build green? asking for the release"));
    // A click on it says which message it quotes.
    QSignalSpy clicked(&shown.view, &MessageView::quoteClicked);
    QTest::mouseClick(shown.view.viewport(), Qt::LeftButton, {}, quote.center());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.at(0).at(0).toLongLong(), qint64(40));
    // The view finds the parent for the click to go to.
    QCOMPARE(shown.view.rowOfId(40), 0);
    QCOMPARE(shown.view.rowOfId(39), -1);
    QVERIFY(!shown.view.showMessage(39));
    QVERIFY(shown.view.showMessage(40));
    QCOMPARE(shown.view.currentIndex().row(), 0);
    // The box is painted: its tint differs from the row's background.
    const QImage image = shown.view.viewport()->grab().toImage();
    const QRect row = shown.view.visualRect(model.index(1, 0));
    QVERIFY(!near(pixel(image, {quote.right() - 3, quote.center().y()}),
                  pixel(image, {row.right() - 3, quote.center().y()}), 3));
}

void tst_MessageDelegate::deletedParentIsSaidInTheQuote()
{
    client::MessageModel model;
    client::ChatMessage reply = chat(41, "alice", "it was wrong anyway");
    reply.replyTo = 40;
    reply.quoteUser = "bob";
    reply.quoteDeleted = true;
    model.append(reply);
    QCOMPARE(MessageDelegate::quoteText(model.index(0, 0)), QStringLiteral("deleted message"));
    ShownView shown(&model);
    QVERIFY(!shown.view.quoteRect(0).isEmpty());
    QCOMPARE(shown.view.quoteAt(shown.view.quoteRect(0).center()), qint64(40));
}

void tst_MessageDelegate::showMessageScrollsToAParentFarAbove()
{
    client::MessageModel model;
    const QDateTime nine(QDate(2026, 12, 1), QTime(9, 0));
    for (int i = 1; i <= 80; ++i)
        model.append(chat(i, i % 2 ? "bob" : "carol", QStringLiteral("line %1").arg(i),
                          nine.addSecs(i * 600)));
    ShownView shown(&model);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    const auto inView = [&shown, &model](int row) {
        return shown.view.viewport()->rect().intersects(shown.view.visualRect(model.index(row, 0)));
    };
    QTRY_VERIFY(inView(79));
    QVERIFY(!inView(2));
    QVERIFY(shown.view.showMessage(3));
    QTRY_VERIFY(inView(2));
    QCOMPARE(shown.view.currentIndex().row(), 2);
    // A message that comes in meanwhile does not pull the view back down.
    model.append(chat(81, "bob", "news", nine.addSecs(81 * 600)));
    QCoreApplication::processEvents();
    QVERIFY(inView(2));
}

void tst_MessageDelegate::reactionChipsCountHighlightAndReportTheirEmoji()
{
    client::MessageModel model;
    model.setOwnNickname("alice");
    client::ChatMessage message = chat(7, "bob", "release is out");
    message.reactions = {{QStringLiteral("👍"), {"alice", "carol"}},
                         {QStringLiteral("🎉"), {"carol"}}};
    model.append(message);
    model.append(chat(8, "carol", "no reactions here", message.at.addSecs(600)));
    ShownView shown(&model);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    const QRect thumbs = shown.view.reactionRect(0, QStringLiteral("👍"));
    const QRect party = shown.view.reactionRect(0, QStringLiteral("🎉"));
    QVERIFY(!thumbs.isEmpty() && !party.isEmpty());
    QVERIFY(shown.view.reactionRect(1, QStringLiteral("👍")).isNull());
    // Under the body, in the server's order, side by side.
    QVERIFY(thumbs.top() > shown.view.bodyRect(0).bottom());
    QVERIFY(party.left() > thumbs.right());
    QCOMPARE(thumbs.top(), party.top());
    const auto hit = shown.view.reactionAt(party.center());
    QCOMPARE(hit.row, 0);
    QCOMPARE(hit.emoji, QStringLiteral("🎉"));
    QVERIFY(!shown.view.reactionAt(shown.view.bodyRect(0).topLeft() + QPoint(2, 2)).isValid());
    QVERIFY(!shown.view.reactionAt(shown.view.bodyRect(1).topLeft() + QPoint(2, 2)).isValid());
    // The count of each.
    const QVariantList reactions =
        model.index(0, 0).data(client::MessageModel::ReactionsRole).toList();
    QCOMPARE(MessageDelegate::chipText(reactions.at(0).toMap()), QStringLiteral("👍  2"));
    QCOMPARE(MessageDelegate::chipText(reactions.at(1).toMap()), QStringLiteral("🎉  1"));
    // Mine (👍) is painted in the highlight's tint, the other not.
    const QImage image = shown.view.viewport()->grab().toImage();
    const QColor highlight = shown.view.palette().color(QPalette::Highlight);
    const auto distance = [&highlight](const QColor &c) {
        return std::abs(c.red() - highlight.red()) + std::abs(c.green() - highlight.green()) +
               std::abs(c.blue() - highlight.blue());
    };
    const QColor mineFill = pixel(image, {thumbs.left() + thumbs.height() / 2, thumbs.top() + 3});
    const QColor otherFill = pixel(image, {party.left() + party.height() / 2, party.top() + 3});
    QVERIFY2(
        distance(mineFill) + 30 < distance(otherFill),
        qPrintable(QStringLiteral("mine %1, other %2").arg(mineFill.name(), otherFill.name())));
    // A click on a chip says which.
    QSignalSpy clicked(&shown.view, &MessageView::reactionClicked);
    QTest::mouseClick(shown.view.viewport(), Qt::LeftButton, {}, thumbs.center());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), 0);
    QCOMPARE(clicked.at(0).at(1).toString(), QStringLiteral("👍"));
    // Who reacted, on hover.
    QHelpEvent help(QEvent::ToolTip, party.center(),
                    shown.view.viewport()->mapToGlobal(party.center()));
    QApplication::sendEvent(shown.view.viewport(), &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().contains("carol"), qPrintable(QToolTip::text()));
    QToolTip::hideText();
}

void tst_MessageDelegate::editedMarkShowsWhenOnHover()
{
    client::MessageModel model;
    client::ChatMessage message = chat(9, "bob", "fixed the typo");
    message.editedAt = QDateTime(QDate(2026, 12, 1), QTime(9, 1, 30));
    model.append(message);
    model.append(chat(10, "bob", "not edited", message.at.addSecs(600)));
    ShownView shown(&model);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    QStyleOptionViewItem option;
    option.initFrom(&shown.view);
    option.rect = shown.view.visualRect(model.index(0, 0));
    option.font = shown.view.font();
    QTextDocument doc;
    shown.view.messageDelegate()->layout(doc, option, model.index(0, 0));
    QVERIFY2(doc.toPlainText().endsWith("(edited)"), qPrintable(doc.toPlainText()));
    QTextDocument plain;
    option.rect = shown.view.visualRect(model.index(1, 0));
    shown.view.messageDelegate()->layout(plain, option, model.index(1, 0));
    QVERIFY(!plain.toPlainText().contains("(edited)"));
    // Find the mark along the first line; hovering it says when.
    const QRect body = shown.view.bodyRect(0);
    option.rect = shown.view.visualRect(model.index(0, 0));
    QPoint mark;
    for (int x = body.left(); x < body.right() && mark.isNull(); ++x) {
        const QPoint p(x, body.top() + QFontMetrics(shown.view.font()).height() / 2);
        if (shown.view.messageDelegate()->hitTest(option, model.index(0, 0), p).kind ==
            MessageDelegate::Hit::Kind::Edited)
            mark = p;
    }
    QVERIFY2(!mark.isNull(), "no (edited) mark under the first line");
    QHelpEvent help(QEvent::ToolTip, mark, shown.view.viewport()->mapToGlobal(mark));
    QApplication::sendEvent(shown.view.viewport(), &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().contains("09:01:30"), qPrintable(QToolTip::text()));
    QToolTip::hideText();
}

void tst_MessageDelegate::deletedMessageIsOneDimItalicLine()
{
    client::MessageModel model;
    model.append(chat(1, "bob", "still here"));
    client::ChatMessage gone;
    gone.id = 2;
    gone.deleted = true;
    gone.at = QDateTime(QDate(2026, 12, 1), QTime(9, 0, 30));
    model.append(gone);
    model.append(chat(3, "bob", "and me", QDateTime(QDate(2026, 12, 1), QTime(9, 1))));
    ShownView shown(&model);
    QVERIFY(QTest::qWaitForWindowExposed(&shown.view));
    QStyleOptionViewItem option;
    option.initFrom(&shown.view);
    option.rect = shown.view.visualRect(model.index(1, 0));
    option.font = shown.view.font();
    QTextDocument doc;
    shown.view.messageDelegate()->layout(doc, option, model.index(1, 0));
    QCOMPARE(doc.toPlainText(), QStringLiteral("message deleted"));
    const QTextCharFormat format = doc.firstBlock().begin().fragment().charFormat();
    QVERIFY(format.fontItalic());
    QCOMPARE(format.foreground().color(), MessageFormatter::dimColor(shown.view.palette()));
    QVERIFY(shown.view.avatarRect(1).isNull());
    QVERIFY(shown.view.quoteRect(1).isNull());
    QVERIFY(shown.view.visualRect(model.index(1, 0)).height() <
            shown.view.visualRect(model.index(2, 0)).height());
}

void tst_MessageDelegate::daySeparatorAboveTheFirstMessageOfADay()
{
    const QDateTime monday(QDate(2026, 11, 30), QTime(23, 58));
    client::MessageModel model;
    model.append(chat(1, "bob", "late", monday));
    model.append(chat(2, "bob", "later, but Tuesday", monday.addSecs(180)));
    ShownView shown(&model);
    QStyleOptionViewItem option;
    option.initFrom(&shown.view);
    option.font = shown.view.font();
    option.rect = shown.view.visualRect(model.index(1, 0));
    const auto g = shown.view.messageDelegate()->geometry(option, model.index(1, 0));
    QVERIFY(!g.separator.isNull());
    // A new day starts a new group even within five minutes.
    QVERIFY(!g.avatar.isNull());
    QVERIFY(g.separator.bottom() < g.avatar.top());
}

void tst_MessageDelegate::dataChangesRelayoutTheRows()
{
    // Reactions arriving make a row taller: the view must not keep the old height. Any model
    // with the roles will do; this one changes a row's data in place (dataChanged).
    QStandardItemModel model;
    auto *item = new QStandardItem;
    item->setData(qint64(1), client::MessageModel::IdRole);
    item->setData(QStringLiteral("bob"), client::MessageModel::UserRole);
    item->setData(QStringLiteral("one"), client::MessageModel::BodyRole);
    item->setData(QDateTime(QDate(2026, 12, 1), QTime(9, 0)), client::MessageModel::AtRole);
    model.appendRow(item);
    MessageView view;
    view.setModel(&model);
    view.resize(560, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const int before = view.visualRect(model.index(0, 0)).height();
    QVERIFY(view.reactionRect(0, QStringLiteral("👍")).isNull());
    item->setData(QVariantList{QVariantMap{{QStringLiteral("emoji"), QStringLiteral("👍")},
                                           {QStringLiteral("users"), QStringList{"carol"}},
                                           {QStringLiteral("mine"), false}}},
                  client::MessageModel::ReactionsRole);
    QTRY_VERIFY(view.visualRect(model.index(0, 0)).height() > before);
    // And the chip is inside the row as laid out now.
    QVERIFY(view.visualRect(model.index(0, 0)).contains(view.reactionRect(0, QStringLiteral("👍"))));
}

QTEST_MAIN(tst_MessageDelegate)
#include "tst_messagedelegate.moc"
