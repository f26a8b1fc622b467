// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

#include <deque>

namespace chatter::monitor {

//! A small line chart of the last `capacity` samples (e.g. two minutes at 4 Hz), drawn with
//! QPainter: a caption, the current value, and the line scaled to the visible maximum.
class Sparkline : public QWidget
{
    Q_OBJECT
public:
    enum class Tone
    {
        Primary,
        Secondary
    };

    explicit Sparkline(const QString &caption, Tone tone = Tone::Primary,
                       QWidget *parent = nullptr);

    void setCapacity(int samples);
    void addSample(double value);
    //! How the current value is written ("1,234 msg/s").
    void setValueText(const QString &text);
    const std::deque<double> &samples() const { return m_samples; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_caption;
    QString m_valueText;
    Tone m_tone;
    int m_capacity = 480;
    std::deque<double> m_samples;
};

} // namespace chatter::monitor
