package dev.kiln.activities;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QuietStartTest {

  @Test
  void isOverOnceItsLengthHasPassedSinceItStarted() {
    AtomicLong now = new AtomicLong(-5_000);
    QuietStart quiet = new QuietStart(now::get);

    now.addAndGet(QuietStart.LENGTH.toNanos() - 1);
    assertThat(quiet.over()).isFalse();

    now.incrementAndGet();
    assertThat(quiet.over()).isTrue();
  }

  @Test
  void saysHowLongRemainsAndZeroOnceOver() {
    AtomicLong now = new AtomicLong();
    QuietStart quiet = new QuietStart(now::get);

    now.addAndGet(200_000_000);
    assertThat(quiet.remaining()).isEqualTo(QuietStart.LENGTH.minusMillis(200));
    now.addAndGet(QuietStart.LENGTH.toNanos());
    assertThat(quiet.remaining()).isZero();
  }

  @Test
  void isOverAcrossTheWrapOfTheNanosecondClock() {
    AtomicLong now = new AtomicLong(Long.MAX_VALUE - 10);
    QuietStart quiet = new QuietStart(now::get);

    assertThat(quiet.over()).isFalse();
    now.addAndGet(QuietStart.LENGTH.toNanos());
    assertThat(quiet.over()).isTrue();
  }
}
