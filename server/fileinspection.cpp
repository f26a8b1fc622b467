// SPDX-License-Identifier: MIT
#include "fileinspection.h"

#include <QBuffer>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QUrl>

namespace chatter::server::fileinspection {
namespace {

const QString OctetStream = QStringLiteral("application/octet-stream");

//! Qt's format name → the verified MIME type, for the four formats shown inline.
QString verifiedType(const QByteArray &format)
{
    if (format == "png")
        return QStringLiteral("image/png");
    if (format == "jpeg" || format == "jpg")
        return QStringLiteral("image/jpeg");
    if (format == "gif")
        return QStringLiteral("image/gif");
    if (format == "webp")
        return QStringLiteral("image/webp");
    return {};
}

} // namespace

QString cleanType(const QByteArray &declared)
{
    const qsizetype semicolon = declared.indexOf(';');
    const QByteArray type =
        (semicolon < 0 ? declared : declared.left(semicolon)).trimmed().toLower();
    // type "/" subtype, each an RFC 7230 token.
    const qsizetype slash = type.indexOf('/');
    if (slash <= 0 || slash == type.size() - 1 || type.count('/') != 1 || type.size() > 127)
        return OctetStream;
    for (const char c : type) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' ||
              QByteArrayView("!#$&-^_.+").contains(c)))
            return OctetStream;
    }
    return QString::fromLatin1(type);
}

QString cleanName(const QString &given)
{
    QString name = given;
    const qsizetype slash = std::max(name.lastIndexOf(QLatin1Char('/')), name.lastIndexOf('\\'));
    if (slash >= 0)
        name = name.mid(slash + 1);
    name.removeIf([](QChar c) {
        return c.category() == QChar::Other_Control || c.category() == QChar::Other_Format ||
               c == QChar::LineSeparator || c == QChar::ParagraphSeparator;
    });
    name = name.trimmed();
    if (name == QLatin1String(".") || name == QLatin1String(".."))
        return {};
    while (name.toUtf8().size() > 255) {
        qsizetype cut = name.size() - 1;
        if (cut > 0 && name.at(cut).isLowSurrogate())
            --cut;
        name.truncate(cut);
    }
    return name;
}

Decision decide(const QByteArray &content, const QString &declaredType)
{
    Decision decision;
    decision.type = declaredType;
    if (!declaredType.startsWith(QLatin1String("image/")))
        return decision;
    decision.type = OctetStream;
    // Global in Qt, and only this thread decodes images in the server.
    QImageReader::setAllocationLimit(AllocationLimitMiB);
    QBuffer buffer;
    buffer.setData(content);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setDecideFormatFromContent(true);
    const QString type = verifiedType(reader.format());
    const QSize size = reader.size();
    if (type.isEmpty() || !size.isValid() || size.isEmpty() ||
        qint64(size.width()) * size.height() > MaxPixels)
        return decision;
    // Thumbnails come out upright (EXIF orientation); width and height are as shown.
    reader.setAutoTransform(true);
    const bool turned = reader.transformation().testFlag(QImageIOHandler::TransformationRotate90);
    const QSize shown = turned ? size.transposed() : size;
    QSize scaled = size.scaled(QSize(ThumbSide, ThumbSide), Qt::KeepAspectRatio);
    if (size.width() <= ThumbSide && size.height() <= ThumbSide)
        scaled = size;
    scaled = scaled.expandedTo(QSize(1, 1));
    // Decoding at the thumbnail's size: JPEG decodes scaled, the others decode and scale.
    reader.setScaledSize(scaled);
    QImage image = reader.read();
    if (image.isNull())
        return decision; // a header that lies about the rest
    decision.type = type;
    decision.width = shown.width();
    decision.height = shown.height();
    const bool png = type == QLatin1String("image/gif") || image.hasAlphaChannel();
    if (!png && image.format() != QImage::Format_RGB32)
        image = image.convertToFormat(QImage::Format_RGB32);
    QBuffer out(&decision.thumb);
    out.open(QIODevice::WriteOnly);
    QImageWriter writer(&out, png ? "png" : "jpeg");
    if (!png)
        writer.setQuality(85);
    if (!writer.write(image)) {
        decision.thumb.clear();
        return decision;
    }
    decision.thumbType = png ? "image/png" : "image/jpeg";
    decision.thumbWidth = image.width();
    decision.thumbHeight = image.height();
    return decision;
}

Served servedAs(const QString &type)
{
    if (!verifiedType(type.mid(6).toLatin1()).isEmpty() && type.startsWith(QLatin1String("image/")))
        return {type.toLatin1(), true};
    if (type == QLatin1String("text/plain"))
        return {"text/plain; charset=utf-8", false};
    if (type == QLatin1String("application/pdf") || type == QLatin1String("application/zip") ||
        type.startsWith(QLatin1String("audio/")) || type.startsWith(QLatin1String("video/")))
        return {type.toLatin1(), false};
    return {"application/octet-stream", false};
}

QByteArray contentDisposition(const QString &name, bool inlineDisposition)
{
    // An ASCII fallback for old agents, the exact name in filename*.
    QByteArray fallback;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        fallback.append(u >= 0x20 && u < 0x7f && u != '"' && u != '\\' ? char(u) : '_');
    }
    if (fallback.isEmpty())
        fallback = "file";
    return (inlineDisposition ? QByteArray("inline") : QByteArray("attachment")) + "; filename=\"" +
           fallback + "\"; filename*=UTF-8''" + QUrl::toPercentEncoding(name);
}

} // namespace chatter::server::fileinspection
