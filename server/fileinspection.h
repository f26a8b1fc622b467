// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

namespace chatter::server::fileinspection {

//! The largest thumbnail side (docs/files-and-search.md).
inline constexpr int ThumbSide = 320;
//! Images with more pixels than this are not decoded at all (decompression bombs): they are
//! kept as plain files. 64 Mpx is 256 MiB at four bytes a pixel, Qt's allocation limit here.
inline constexpr qint64 MaxPixels = qint64(64) * 1024 * 1024;
inline constexpr int AllocationLimitMiB = 256;

//! What an upload is, decided from its bytes and what the client declared.
struct Decision
{
    QString type; //!< image/png|jpeg|gif|webp only when verified; else the declared type
    int width = 0;
    int height = 0;
    QByteArray thumb; //!< encoded thumbnail, images only
    QByteArray thumbType;
    int thumbWidth = 0;
    int thumbHeight = 0;
};

//! A declared type, cleaned: lower case, without parameters; application/octet-stream when
//! missing or malformed.
QString cleanType(const QByteArray &declared);
//! The file name as stored: the last path component, without control characters, at most
//! 255 UTF-8 bytes (cut at a character boundary); empty when nothing is left.
QString cleanName(const QString &given);
//! Decides the type and makes the thumbnail. A file claiming an image type is decoded with
//! QImageReader (its header first: size and format; then a scaled decode under an allocation
//! limit); only a real PNG, JPEG, GIF or WebP keeps its image type, anything else becomes
//! application/octet-stream. Slow for images: call on the file thread.
Decision decide(const QByteArray &content, const QString &declaredType);

//! How a stored file is served: the Content-Type, and whether it may be shown inline
//! (verified images only; everything else is a download).
struct Served
{
    QByteArray contentType;
    bool inlineDisposition = false;
};
Served servedAs(const QString &type);
//! `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266) or the same with `inline`.
QByteArray contentDisposition(const QString &name, bool inlineDisposition);

} // namespace chatter::server::fileinspection
