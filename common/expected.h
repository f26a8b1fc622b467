// SPDX-License-Identifier: MIT
// Chatter's one style for expected failures (bad input, refused requests, a store that could
// not commit): a function returns its value or the reason it has none, and never throws for
// them. Exceptions are kept for bugs inside a channel, which Phoenix turns into phx_error.
#pragma once

#include <QString>

#include <version>

#if defined(__cpp_lib_expected)
#include <expected>
#else
#include <optional>
#include <utility>
#endif

namespace chatter {

#if defined(__cpp_lib_expected)

//! A `T`, or the reason (for a log line or an error reply) why there is none.
template <typename T = void> using Expected = std::expected<T, QString>;

//! The failed outcome: `return failure(QStringLiteral("why"));`.
inline std::unexpected<QString> failure(QString reason)
{
    return std::unexpected<QString>(std::move(reason));
}

#else

// Debian 12's clang 14, which the libFuzzer harnesses (tests/fuzz/) need, cannot compile
// libstdc++ 12's <expected> (it lacks conditionally trivial destructors, P0848), so that build
// gets this stand-in: the part of std::expected<T, QString> Chatter uses, same spelling. The
// GCC build, and everything that ships, uses std::expected.
namespace detail {
struct Failure
{
    QString reason;
};
} // namespace detail

template <typename T = void> class Expected
{
public:
    Expected() = default;
    template <typename U = T>
    requires std::is_constructible_v<T, U &&> Expected(U &&value) : m_value(std::forward<U>(value))
    {}
    Expected(detail::Failure failure) : m_error(std::move(failure.reason)) {}

    bool has_value() const { return m_value.has_value(); }
    explicit operator bool() const { return has_value(); }
    T &operator*() & { return *m_value; }
    const T &operator*() const & { return *m_value; }
    T &&operator*() && { return std::move(*m_value); }
    T *operator->() { return &*m_value; }
    const T *operator->() const { return &*m_value; }
    T &value() & { return *m_value; }
    const T &value() const & { return *m_value; }
    const QString &error() const { return m_error; }

private:
    std::optional<T> m_value;
    QString m_error;
};

template <> class Expected<void>
{
public:
    Expected() = default;
    Expected(detail::Failure failure) : m_failed(true), m_error(std::move(failure.reason)) {}

    bool has_value() const { return !m_failed; }
    explicit operator bool() const { return has_value(); }
    const QString &error() const { return m_error; }

private:
    bool m_failed = false;
    QString m_error;
};

inline detail::Failure failure(QString reason)
{
    return detail::Failure{std::move(reason)};
}

#endif

} // namespace chatter
