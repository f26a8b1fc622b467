// SPDX-License-Identifier: MIT
#pragma once

#include "metricssample.h"

#include <QByteArray>

namespace chatter::server {

//! /metrics: a sample in Prometheus' text exposition format, version 0.0.4, every metric with
//! its HELP and TYPE lines (docs/metrics.md lists them).
namespace prometheustext {

constexpr const char *ContentType = "text/plain; version=0.0.4; charset=utf-8";

QByteArray format(const MetricsSample &sample);

} // namespace prometheustext
} // namespace chatter::server
