// SPDX-License-Identifier: MIT
#include "fileapi.h"

#include "accountdirectory.h"
#include "apicall.h"
#include "engine.h"
#include "filecontentstore.h"
#include "fileinspection.h"
#include "fileurls.h"
#include "historyreader.h"
#include "isotime.h"
#include "logging.h"
#include "messagestore.h"
#include "multipart.h"
#include "passwordpool.h"
#include "roomchannel.h"
#include "sessiontokens.h"
#include "worker.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QPointer>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QUrlQuery>

namespace chatter::server {

//! One upload in flight (ApiCall: answered on its worker).
struct FileApi::Call : ApiCall
{
};

namespace {

using Status = QHttpServerResponder::StatusCode;
using CallPtr = std::shared_ptr<FileApi::Call>;
constexpr qint64 QuotaWindowMs = qint64(24) * 3'600'000;

const QByteArray FileCsp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

void refuse(const CallPtr &call, int status, const QString &error, const QString &message,
            qint64 limit = -1, int retryAfterSecs = 0)
{
    QJsonObject body{{QStringLiteral("error"), error}, {QStringLiteral("message"), message}};
    if (limit >= 0)
        body.insert(QStringLiteral("limit"), limit);
    answerJson(call, status, body, retryAfterSecs);
}

QString isoAt(qint64 ms)
{
    return isotime::fromMsecs(ms);
}

//! Seconds until the oldest upload of the window leaves it.
int retryAfter(const QString &oldest, qint64 nowMs)
{
    const QDateTime at = QDateTime::fromString(oldest, Qt::ISODateWithMs);
    const qint64 until = at.isValid() ? at.toMSecsSinceEpoch() + QuotaWindowMs - nowMs : 60'000;
    return int(std::clamp<qint64>((until + 999) / 1000, 1, QuotaWindowMs / 1000));
}

QString quotaMessage(qint64 quota)
{
    return QStringLiteral("uploads are limited to %1 bytes per 24 hours").arg(quota);
}

QString newFileId()
{
    QByteArray bytes(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 4);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

//! The file's row, written on the store thread once its content is on disk.
void insertRow(const CallPtr &call, HistoryReader::FileRow row, QByteArray content,
               QByteArray thumb, qint64 nowMs)
{
    call->worker->engine().store().run([call, row = std::move(row), content = std::move(content),
                                        thumb = std::move(thumb), nowMs](QSqlDatabase &db) {
        Engine &engine = call->worker->engine();
        const ServerConfig &config = engine.config();
        const FileContentStore &files = engine.fileContent();
        // The content goes again if this refusal leaves it without a row.
        const auto dropUnused = [&] { files.abandon(db, row.sha256); };
        if (!db.transaction()) {
            refuse(call, 500, QStringLiteral("internal error"), QStringLiteral("database"));
            return;
        }
        // Again, in the transaction: two uploads in parallel must not both fit.
        if (config.uploadQuotaBytes > 0) {
            const auto use =
                HistoryReader::uploadedSince(db, row.uploader, isoAt(nowMs - QuotaWindowMs));
            if (use.bytes + row.size > config.uploadQuotaBytes) {
                db.rollback();
                dropUnused();
                refuse(call, 429, QStringLiteral("quota"), quotaMessage(config.uploadQuotaBytes),
                       config.uploadQuotaBytes, retryAfter(use.oldest, nowMs));
                return;
            }
        }
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
            "INSERT INTO files (id, sha256, name, type, size, width, height, thumb_type, "
            "thumb_width, thumb_height, uploader, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        const auto orNull = [](int v) { return v > 0 ? QVariant(v) : QVariant(); };
        insert.addBindValue(row.id);
        insert.addBindValue(QString::fromLatin1(row.sha256));
        insert.addBindValue(row.name);
        insert.addBindValue(row.type);
        insert.addBindValue(row.size);
        insert.addBindValue(orNull(row.width));
        insert.addBindValue(orNull(row.height));
        insert.addBindValue(row.thumbType.isEmpty() ? QVariant()
                                                    : QVariant(QString::fromLatin1(row.thumbType)));
        insert.addBindValue(orNull(row.thumbWidth));
        insert.addBindValue(orNull(row.thumbHeight));
        insert.addBindValue(row.uploader);
        insert.addBindValue(isoAt(nowMs));
        bool ok = insert.exec();
        // The content with its row: written now if it is not there (PostgreSQL, or retention
        // removed the same bytes from disk since the file thread wrote them).
        Expected<void> kept;
        if (ok)
            kept = files.keep(db, row.sha256, content, thumb);
        if (!ok || !kept || !db.commit()) {
            qCWarning(lcChannel).noquote()
                << "storing an upload failed:" << insert.lastError().text() << db.lastError().text()
                << (kept ? QString() : kept.error());
            db.rollback();
            dropUnused();
            refuse(call, 500, QStringLiteral("internal error"),
                   QStringLiteral("the file could not be stored"));
            return;
        }
        answerJson(call, 201, HistoryReader::attachmentOf(row, engine.fileUrls()).toJson());
    });
}

//! `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`: the first and last byte, or none
//! (unsatisfiable); nullopt when the header is absent, malformed or asks for several ranges
//! (then the whole file is sent, as RFC 9110 allows).
struct ByteRange
{
    bool satisfiable = false;
    qint64 first = 0;
    qint64 last = 0;
};
std::optional<ByteRange> rangeOf(const QByteArray &header, qint64 size)
{
    if (!header.startsWith("bytes=") || header.contains(','))
        return std::nullopt;
    const QByteArray spec = header.mid(6).trimmed();
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return std::nullopt;
    bool okFirst = false, okLast = false;
    const QByteArray a = spec.left(dash).trimmed(), b = spec.mid(dash + 1).trimmed();
    const qint64 first = a.toLongLong(&okFirst);
    const qint64 last = b.toLongLong(&okLast);
    if (a.isEmpty()) {
        if (!okLast || last < 0)
            return std::nullopt;
        if (last == 0 || size == 0)
            return ByteRange{};
        return ByteRange{true, std::max<qint64>(0, size - last), size - 1};
    }
    if (!okFirst || first < 0 || (!b.isEmpty() && (!okLast || last < first)))
        return std::nullopt;
    if (first >= size)
        return ByteRange{};
    return ByteRange{true, first, b.isEmpty() ? size - 1 : std::min(last, size - 1)};
}

} // namespace

FileApi::FileApi(Worker &worker, QObject *parent) : QObject(parent), m_worker(worker) {}

void FileApi::upload(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto call = std::make_shared<Call>(Call{{&m_worker, responder.socket(), std::move(responder)}});
    Engine &engine = m_worker.engine();
    const ServerConfig &config = engine.config();
    if (request.method() != QHttpServerRequest::Method::Post) {
        refuse(call, 405, QStringLiteral("method not allowed"), QStringLiteral("POST a file"));
        return;
    }
    // The same origin check as the accounts API: a page elsewhere cannot upload.
    const QString origin = QString::fromUtf8(headerOf(request, "origin"));
    const QString host = QString::fromUtf8(headerOf(request, "host"));
    const HandshakeValidator &validator = m_worker.validator();
    if (QString why; origin.isEmpty() ? !validator.hostAllowed(host)
                                      : !validator.originAllowed(origin, host, &why)) {
        refuse(call, 403, QStringLiteral("forbidden"), QStringLiteral("origin not allowed"));
        return;
    }
    // Who uploads: the session's author key (RoomChannel::authorKey), which new_msg compares.
    const QByteArray authorization = headerOf(request, "authorization");
    QString bearer;
    if (authorization.size() > 7 &&
        authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        bearer = QString::fromUtf8(authorization.mid(7).trimmed());
    const QByteArray hash = bearer.isEmpty() ? QByteArray() : sessiontokens::hashOf(bearer);
    const auto session = bearer.isEmpty()
                             ? std::nullopt
                             : engine.accounts().session(hash, QDateTime::currentDateTimeUtc());
    if (!session) {
        refuse(call, 401, QStringLiteral("unauthorized"),
               QStringLiteral("an account's or a guest's session token is required"));
        return;
    }
    ConnectInfo who;
    if (session->kind == QLatin1String("account"))
        who.accountId = session->accountId;
    who.sessionHash = hash;
    const QString uploader = RoomChannel::authorKey(who);

    // The file: the body itself, or the part named `file` of a form.
    const QByteArray contentType = headerOf(request, "content-type");
    QByteArray content;
    QString name;
    QByteArray declared;
    if (const QByteArray boundary = multipart::boundaryOf(contentType); !boundary.isEmpty()) {
        const auto part = multipart::find(request.body(), boundary, "file");
        if (!part) {
            refuse(call, 400, QStringLiteral("bad request"), part.error());
            return;
        }
        content = part->body;
        name = part->filename;
        declared = part->type;
    } else if (contentType.trimmed().toLower().startsWith("multipart/")) {
        refuse(call, 400, QStringLiteral("bad request"), QStringLiteral("no multipart boundary"));
        return;
    } else {
        content = request.body();
        name =
            QUrlQuery(request.url()).queryItemValue(QStringLiteral("filename"), QUrl::FullyDecoded);
        declared = contentType;
    }
    name = fileinspection::cleanName(name);
    if (name.isEmpty()) {
        refuse(call, 400, QStringLiteral("bad request"), QStringLiteral("a file name is required"));
        return;
    }
    if (content.isEmpty()) {
        refuse(call, 400, QStringLiteral("bad request"), QStringLiteral("the file is empty"));
        return;
    }
    // The gate refused a larger body before it arrived; a form's framing is allowed for, so
    // its file is measured again here.
    if (content.size() > config.maxUploadBytes) {
        refuse(call, 413, QStringLiteral("too large"),
               QStringLiteral("files are limited to %1 bytes").arg(config.maxUploadBytes),
               config.maxUploadBytes);
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (config.uploadQuotaBytes > 0) {
        // Checked before any work is done, and again in the row's transaction.
        const auto use = m_worker.history().uploadedSince(uploader, isoAt(now - QuotaWindowMs));
        if (use.bytes + content.size() > config.uploadQuotaBytes) {
            refuse(call, 429, QStringLiteral("quota"), quotaMessage(config.uploadQuotaBytes),
                   config.uploadQuotaBytes, retryAfter(use.oldest, now));
            return;
        }
    }
    const QString type = fileinspection::cleanType(declared);
    engine.fileThread().start([call, content, name, type, uploader, now] {
        const Engine &owner = call->worker->engine();
        HistoryReader::FileRow row;
        row.id = newFileId();
        row.sha256 = QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex();
        row.name = name;
        row.size = content.size();
        row.uploader = uploader;
        const fileinspection::Decision decision = fileinspection::decide(content, type);
        row.type = decision.type;
        row.width = decision.width;
        row.height = decision.height;
        row.thumbType = decision.thumbType;
        row.thumbWidth = decision.thumbWidth;
        row.thumbHeight = decision.thumbHeight;
        const auto stored = owner.fileContent().stage(row.sha256, content, decision.thumb);
        if (!stored) {
            qCWarning(lcChannel).noquote() << "cannot store an upload:" << stored.error();
            refuse(call, 500, QStringLiteral("internal error"),
                   QStringLiteral("the file could not be stored"));
            return;
        }
        insertRow(call, std::move(row), content, decision.thumb, now);
    });
}

void FileApi::serve(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const auto plain = [&responder](Status status, const QByteArray &error) {
        const QByteArray json = "{\"error\":\"" + error + "\"}";
        responder.writeStatusLine(status);
        responder.writeHeader("content-type", "application/json; charset=utf-8");
        responder.writeHeader("cache-control", "no-store");
        responder.writeHeader("x-content-type-options", "nosniff");
        responder.writeHeader("content-length", QByteArray::number(json.size()));
        responder.writeBody(json);
    };
    using Method = QHttpServerRequest::Method;
    if (request.method() != Method::Get && request.method() != Method::Head) {
        plain(Status::MethodNotAllowed, "method not allowed");
        return;
    }
    // /files/<id>/<name> or /files/<id>/thumb
    const QStringList parts = request.url().path().split(QLatin1Char('/'));
    if (parts.size() != 4 || parts.at(2).isEmpty() || parts.at(3).isEmpty()) {
        plain(Status::NotFound, "not found");
        return;
    }
    const QString id = parts.at(2);
    const QUrlQuery query(request.url());
    const QString exp = query.queryItemValue(QStringLiteral("exp"));
    const QString sig = query.queryItemValue(QStringLiteral("sig"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const FileUrlSigner &signer = *m_worker.engine().fileUrls();
    // A file may be called "thumb": its URL's signature says which one is meant.
    FileUrlSigner::Variant variant = FileUrlSigner::Variant::File;
    FileUrlSigner::Check check = FileUrlSigner::Check::Forbidden;
    if (parts.at(3) == QLatin1String("thumb")) {
        check = signer.check(id, FileUrlSigner::Variant::Thumb, exp, sig, now);
        if (check != FileUrlSigner::Check::Forbidden)
            variant = FileUrlSigner::Variant::Thumb;
    }
    if (check == FileUrlSigner::Check::Forbidden)
        check = signer.check(id, FileUrlSigner::Variant::File, exp, sig, now);
    if (check != FileUrlSigner::Check::Ok) {
        plain(Status::Forbidden,
              check == FileUrlSigner::Check::Expired ? QByteArray("expired") : "forbidden");
        return;
    }
    const auto row = m_worker.history().file(id);
    const bool thumb = variant == FileUrlSigner::Variant::Thumb;
    if (!row || (thumb && row->thumbType.isEmpty())) {
        plain(Status::NotFound, "not found");
        return;
    }
    const FileContentStore &files = m_worker.engine().fileContent();
    const FileContentStore::Variant which =
        thumb ? FileContentStore::Variant::Thumb : FileContentStore::Variant::File;
    const QString connection = m_worker.history().connectionName();
    const auto contentSize = files.sizeOf(connection, row->sha256, which);
    if (!contentSize) {
        plain(Status::NotFound, "not found");
        return;
    }
    const qint64 size = *contentSize;
    const fileinspection::Served served =
        thumb ? fileinspection::Served{row->thumbType, true} : fileinspection::servedAs(row->type);
    const QByteArray etag = '"' + row->sha256 + (thumb ? "-thumb" : "") + '"';
    const QByteArray disposition = fileinspection::contentDisposition(
        thumb ? QStringLiteral("thumb-") + row->name : row->name, served.inlineDisposition);
    const QByteArray cacheControl =
        "private, max-age=" +
        QByteArray::number(std::max<qint64>(0, exp.toLongLong() - now / 1000));
    const auto common = [&](Status status) {
        responder.writeStatusLine(status);
        responder.writeHeader("etag", etag);
        responder.writeHeader("cache-control", cacheControl);
        responder.writeHeader("accept-ranges", "bytes");
        responder.writeHeader("x-content-type-options", "nosniff");
        responder.writeHeader("content-security-policy", FileCsp);
        responder.writeHeader("cross-origin-resource-policy", "same-origin");
    };
    bool matches = false;
    for (const QByteArray &tag : headerOf(request, "if-none-match").split(','))
        matches = matches || tag.trimmed() == etag || tag.trimmed() == "*";
    if (matches) {
        common(Status::NotModified);
        responder.writeBody(QByteArray());
        return;
    }
    const bool head = request.method() == Method::Head;
    const auto range = rangeOf(headerOf(request, "range").trimmed(), size);
    if (range && !range->satisfiable) {
        common(Status::RequestRangeNotSatisfiable);
        responder.writeHeader("content-range", "bytes */" + QByteArray::number(size));
        responder.writeHeader("content-length", "0");
        responder.writeBody(QByteArray());
        return;
    }
    if (head) {
        common(Status::Ok);
        responder.writeHeader("content-type", served.contentType);
        responder.writeHeader("content-disposition", disposition);
        responder.writeHeader("content-length", QByteArray::number(size));
        responder.writeBody(QByteArray());
        return;
    }
    if (range) {
        // A range is a device of its own over the same content: streamed like the whole file.
        const QByteArray contentRange = "bytes " + QByteArray::number(range->first) + '-' +
                                        QByteArray::number(range->last) + '/' +
                                        QByteArray::number(size);
        auto part = files.open(connection, row->sha256, which, range->first,
                               range->last - range->first + 1);
        if (!part) {
            plain(Status::NotFound, "not found");
            return;
        }
        responder.write(part.release(),
                        {{"content-type", served.contentType},
                         {"content-disposition", disposition},
                         {"content-range", contentRange},
                         {"etag", etag},
                         {"cache-control", cacheControl},
                         {"accept-ranges", "bytes"},
                         {"x-content-type-options", "nosniff"},
                         {"content-security-policy", FileCsp},
                         {"cross-origin-resource-policy", "same-origin"}},
                        Status::PartialContent);
        return;
    }
    // Streamed by Qt from the content in small pieces as the socket drains, never all in
    // memory.
    auto file = files.open(connection, row->sha256, which, 0, size);
    if (!file) {
        plain(Status::NotFound, "not found");
        return;
    }
    responder.write(file.release(),
                    {{"content-type", served.contentType},
                     {"content-disposition", disposition},
                     {"etag", etag},
                     {"cache-control", cacheControl},
                     {"accept-ranges", "bytes"},
                     {"x-content-type-options", "nosniff"},
                     {"content-security-policy", FileCsp},
                     {"cross-origin-resource-policy", "same-origin"}},
                    Status::Ok);
}

} // namespace chatter::server
