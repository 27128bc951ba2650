package dev.kiln.activities.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.capacity.BuildSlots.Reservation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BuildSlotsTest {

  private static final Duration IDLE = Duration.ofMinutes(10);

  private final MutableClock clock = new MutableClock();
  private final AtomicBoolean loadAdmits = new AtomicBoolean(true);
  private final BuildSlots slots = new BuildSlots(2, IDLE, clock, loadAdmits::get);

  @Test
  void grantsNoMoreReservationsThanSlots() {
    CompletableFuture<Reservation> first = slots.reserve();
    CompletableFuture<Reservation> second = slots.reserve();
    CompletableFuture<Reservation> third = slots.reserve();

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(third).isNotDone();
  }

  @Test
  void anEmptyPollGivesItsReservationToTheNextWaiter() {
    Reservation first = slots.reserve().join();
    slots.reserve().join();
    CompletableFuture<Reservation> waiting = slots.reserve();

    slots.release(first);

    assertThat(waiting).isCompleted();
  }

  @Test
  void aKeptFetchHoldsItsSlotUntilCleanupEvenAfterTheSdkReleasesThePermit() {
    Reservation fetch = slots.reserve().join();
    slots.markUsed(fetch, "kiln-run-1");
    slots.keep("kiln-run-1", workspaceOf("kiln-run-1"));
    slots.release(fetch);
    slots.reserve().join();
    CompletableFuture<Reservation> waiting = slots.reserve();

    assertThat(slots.busy()).isEqualTo(1);
    assertThat(waiting).isNotDone();

    slots.finish("kiln-run-1");

    assertThat(waiting).isCompleted();
    assertThat(slots.busy()).isZero();
  }

  @Test
  void aFailedFetchFreesItsSlot() {
    Reservation fetch = slots.reserve().join();
    slots.markUsed(fetch, "kiln-run-1");
    assertThat(slots.busy()).isEqualTo(1);

    slots.release(fetch);

    assertThat(slots.busy()).isZero();
    assertThat(slots.free()).isEqualTo(2);
  }

  @Test
  void idlePollsDoNotCountAsBusy() {
    slots.reserve().join();

    assertThat(slots.busy()).isZero();
    assertThat(slots.free()).isEqualTo(2);
  }

  @Test
  void aLeaseWithoutCleanupExpiresAfterTheIdleTime() {
    hold("kiln-run-1");
    clock.advance(IDLE.minusSeconds(1));
    assertThat(slots.expireAndGrant()).isEmpty();

    clock.advance(Duration.ofSeconds(2));

    assertThat(slots.expireAndGrant()).containsExactly(workspaceOf("kiln-run-1"));
    assertThat(slots.busy()).isZero();
  }

  @Test
  void aLeaseDoesNotExpireWhileAHostActivityRuns() {
    hold("kiln-run-1");
    slots.enter("kiln-run-1");
    clock.advance(IDLE.multipliedBy(3));

    assertThat(slots.expireAndGrant()).isEmpty();

    slots.exit("kiln-run-1");
    clock.advance(IDLE.minusSeconds(1));
    assertThat(slots.expireAndGrant()).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    assertThat(slots.expireAndGrant()).containsExactly(workspaceOf("kiln-run-1"));
  }

  @Test
  void aRunFetchedAgainOnTheSameHostHoldsOneSlot() {
    hold("kiln-run-1");
    hold("kiln-run-1");

    assertThat(slots.busy()).isEqualTo(1);
  }

  @Test
  void anIdleHostTakesOneBuildWhateverTheLoad() {
    loadAdmits.set(false);

    assertThat(slots.reserve()).isCompleted();
    assertThat(slots.heldBackByLoad()).isTrue();
  }

  @Test
  void waitsWhileTheLoadIsTooHighAndGrantsWhenItDrops() {
    hold("kiln-run-1");
    loadAdmits.set(false);
    CompletableFuture<Reservation> waiting = slots.reserve();
    assertThat(slots.heldBackByLoad()).isTrue();
    slots.expireAndGrant();
    assertThat(waiting).isNotDone();

    loadAdmits.set(true);
    slots.expireAndGrant();

    assertThat(waiting).isCompleted();
    assertThat(slots.heldBackByLoad()).isFalse();
  }

  @Test
  void anAbandonedWaiterDoesNotTakeASlot() {
    slots.reserve().join();
    Reservation second = slots.reserve().join();
    CompletableFuture<Reservation> abandoned = slots.reserve();
    abandoned.cancel(true);
    CompletableFuture<Reservation> next = slots.reserve();

    slots.release(second);

    assertThat(next).isCompleted();
  }

  @Test
  void aRunThatEndedWithoutCleanupFreesItsSlotAndNamesItsWorkspace() {
    hold("kiln-run-1");
    CompletableFuture<Reservation> waiting = fill();

    assertThat(slots.endIfIdle("kiln-run-1")).hasValue(workspaceOf("kiln-run-1"));

    assertThat(waiting).isCompleted();
    assertThat(slots.endIfIdle("kiln-run-1")).as("once").isEmpty();
  }

  @Test
  void enteringSaysWhetherTheRunStillHoldsItsLease() {
    hold("kiln-run-1");

    assertThat(slots.enter("kiln-run-1")).isTrue();
    slots.exit("kiln-run-1");
    assertThat(slots.endIfIdle("kiln-run-1")).isPresent();
    assertThat(slots.enter("kiln-run-1")).as("the janitor ended it").isFalse();
  }

  @Test
  void aRunThatEndedKeepsItsSlotWhileItsCommandsStillRun() {
    hold("kiln-run-1");
    slots.enter("kiln-run-1");

    assertThat(slots.endIfIdle("kiln-run-1")).isEmpty();
    assertThat(slots.busy()).isEqualTo(1);

    slots.exit("kiln-run-1");
    assertThat(slots.endIfIdle("kiln-run-1")).hasValue(workspaceOf("kiln-run-1"));
    assertThat(slots.busy()).isZero();
  }

  @Test
  void holdingsTellLeasedWorkspacesFromFetchesUnderWay() {
    hold("kiln-run-1");
    Reservation fetching = slots.reserve().join();
    slots.markUsed(fetching, "kiln-run-2");
    slots.reserve(); // an idle poll holds no run

    BuildSlots.Holdings held = slots.holdings();

    assertThat(held.leased()).containsExactly("kiln-run-1");
    assertThat(held.workspaces()).containsExactly(workspaceOf("kiln-run-1"));
    assertThat(held.fetching()).containsExactly("kiln-run-2");
  }

  /** Takes the other slot, then waits for one. */
  private CompletableFuture<Reservation> fill() {
    slots.reserve().join();
    CompletableFuture<Reservation> waiting = slots.reserve();
    assertThat(waiting).isNotDone();
    return waiting;
  }

  private static Path workspaceOf(String runKey) {
    return Path.of("/kiln/work/runs", runKey.replace("kiln-run-", "") + "-1");
  }

  private void hold(String runKey) {
    Reservation fetch = slots.reserve().join();
    slots.markUsed(fetch, runKey);
    slots.keep(runKey, workspaceOf(runKey));
    slots.release(fetch);
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
