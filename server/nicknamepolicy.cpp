// SPDX-License-Identifier: MIT
#include "nicknamepolicy.h"

#include "chatvalidation.h"

#include <memory>
#include <QJsonValue>
#include <QStringList>
#include <unicode/uspoof.h>

namespace chatter::server {
namespace {

struct CheckerDeleter
{
    void operator()(USpoofChecker *checker) const { uspoof_close(checker); }
};
using Checker = std::unique_ptr<USpoofChecker, CheckerDeleter>;

Checker openChecker()
{
    UErrorCode status = U_ZERO_ERROR;
    Checker checker(uspoof_open(&status));
    if (U_FAILURE(status))
        return {};
    uspoof_setRestrictionLevel(checker.get(), USPOOF_MODERATELY_RESTRICTIVE);
    uspoof_setChecks(checker.get(),
                     USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE | USPOOF_MIXED_NUMBERS, &status);
    return U_SUCCESS(status) ? std::move(checker) : Checker();
}

// A checker is not safe to share between threads while it checks, and opening one cost more
// than the checks of a connect (every connect examines a nickname): one per thread, opened at
// its first use, keeps the policy free of locks. Null if ICU cannot open one.
USpoofChecker *threadChecker()
{
    thread_local const Checker checker = openChecker();
    return checker.get();
}

// constData(), never utf16(): on a string of static or raw data (a QStringLiteral, as in the
// shared list of reserved names) utf16() reallocates the QString object it is called on to add a
// terminating zero, a write to an object other threads read at the same time (ASan caught one
// worker freeing the copy another was reading). ICU gets the length, so no zero is needed.
const UChar *utf16(const QString &text)
{
    return reinterpret_cast<const UChar *>(text.constData());
}

QString skeletonOf(USpoofChecker *checker, const QString &text)
{
    UErrorCode status = U_ZERO_ERROR;
    const int32_t size =
        uspoof_getSkeleton(checker, 0, utf16(text), int32_t(text.size()), nullptr, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
        return text;
    QString skeleton(size, Qt::Uninitialized);
    status = U_ZERO_ERROR;
    uspoof_getSkeleton(checker, 0, utf16(text), int32_t(text.size()),
                       reinterpret_cast<UChar *>(skeleton.data()), size, &status);
    return U_SUCCESS(status) ? skeleton : text;
}

// Capital I is both an "i" (by case) and an "l" (by shape), so one key cannot catch both
// `ALICE` and `aIice` as `alice`: the skeleton of the case-folded text catches case variants,
// the case-folded skeleton of the text as typed catches shapes that only capitals share.
NicknamePolicy::Verdict keysOf(USpoofChecker *checker, const QString &display)
{
    NicknamePolicy::Verdict verdict;
    verdict.display = display;
    verdict.skeleton = skeletonOf(checker, display.toCaseFolded());
    verdict.shape = skeletonOf(checker, skeletonOf(checker, display).toCaseFolded());
    // Usually all three are the same text: one shared string instead of three, for as long as
    // the socket lives (its ConnectInfo and the directory's nickname holder keep them).
    if (verdict.skeleton == display)
        verdict.skeleton = display;
    if (verdict.shape == verdict.skeleton)
        verdict.shape = verdict.skeleton;
    return verdict;
}

QString normalized(const QString &nickname)
{
    return nickname.normalized(QString::NormalizationForm_KC);
}

} // namespace

QStringList NicknamePolicy::Verdict::keys() const
{
    return skeleton == shape ? QStringList{skeleton} : QStringList{skeleton, shape};
}

Expected<NicknamePolicy::Verdict> NicknamePolicy::examine(const QString &nickname)
{
    const QString display = normalized(nickname);
    if (auto valid = validation::checkNickname(QJsonValue(display)); !valid)
        return failure(valid.error());
    USpoofChecker *const checker = threadChecker();
    if (!checker)
        return failure(QStringLiteral("nickname check unavailable"));
    UErrorCode status = U_ZERO_ERROR;
    const int32_t flags =
        uspoof_check2(checker, utf16(display), int32_t(display.size()), nullptr, &status);
    if (U_FAILURE(status))
        return failure(QStringLiteral("nickname check unavailable"));
    if (flags != 0)
        return failure(QStringLiteral("nickname mixes scripts or hides characters"));
    Verdict verdict = keysOf(checker, display);
    // Worked out once: every connect passes here, and each name costs three ICU skeletons.
    static const QStringList reservedKeys = [checker] {
        QStringList keys;
        for (const QString &name : {QStringLiteral("system"), QStringLiteral("admin")})
            keys += keysOf(checker, name).keys();
        return keys;
    }();
    for (const QString &key : verdict.keys()) {
        if (reservedKeys.contains(key))
            return failure(QStringLiteral("nickname reserved"));
    }
    return verdict;
}

NicknamePolicy::Verdict NicknamePolicy::keys(const QString &nickname)
{
    USpoofChecker *const checker = threadChecker();
    const QString display = normalized(nickname);
    if (!checker) {
        NicknamePolicy::Verdict fallback;
        fallback.display = display;
        fallback.skeleton = fallback.shape = display.toCaseFolded();
        return fallback;
    }
    return keysOf(checker, display);
}

} // namespace chatter::server
