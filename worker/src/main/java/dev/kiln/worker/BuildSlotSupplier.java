package dev.kiln.worker;

import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.capacity.BuildSlots.Reservation;
import io.temporal.worker.tuning.ActivitySlotInfo;
import io.temporal.worker.tuning.SlotMarkUsedContext;
import io.temporal.worker.tuning.SlotPermit;
import io.temporal.worker.tuning.SlotReleaseContext;
import io.temporal.worker.tuning.SlotReserveContext;
import io.temporal.worker.tuning.SlotSupplier;
import io.temporal.worker.tuning.SlotSupplierFuture;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Activity slots of the fetch workers ({@code kiln-build-<arch>}) taken from the host's {@link
 * BuildSlots}: the SDK reserves a slot before each poll, so while every build slot is held (or the
 * machine is too loaded) this worker does not poll at all, and waiting fetches stay in Temporal's
 * matcher, which hands them out in priority order to whichever host frees a slot first.
 */
final class BuildSlotSupplier implements SlotSupplier<ActivitySlotInfo> {

  private final BuildSlots slots;

  BuildSlotSupplier(BuildSlots slots) {
    this.slots = slots;
  }

  @Override
  public SlotSupplierFuture reserveSlot(SlotReserveContext<ActivitySlotInfo> context) {
    CompletableFuture<Reservation> reservation = slots.reserve();
    return SlotSupplierFuture.fromCompletableFuture(
        reservation.thenApply(SlotPermit::new),
        () -> {
          // Aborted (worker shutdown): a reservation granted in the meantime goes back.
          if (!reservation.cancel(true)) {
            slots.release(reservation.join());
          }
        });
  }

  @Override
  public Optional<SlotPermit> tryReserveSlot(SlotReserveContext<ActivitySlotInfo> context) {
    // Used for eager activity dispatch only, which Kiln's fetch (another task queue) never gets.
    CompletableFuture<Reservation> reservation = slots.reserve();
    if (reservation.cancel(true)) {
      return Optional.empty();
    }
    return Optional.of(new SlotPermit(reservation.join()));
  }

  @Override
  public void markSlotUsed(SlotMarkUsedContext<ActivitySlotInfo> context) {
    slots.markUsed(
        reservation(context.getSlotPermit()),
        context.getSlotInfo().getActivityInfo().getWorkflowId());
  }

  @Override
  public void releaseSlot(SlotReleaseContext<ActivitySlotInfo> context) {
    // A fetch that succeeded has turned its reservation into the run's lease; this is a no-op then.
    slots.release(reservation(context.getSlotPermit()));
  }

  @Override
  public Optional<Integer> getMaximumSlots() {
    return Optional.of(slots.size());
  }

  private static Reservation reservation(SlotPermit permit) {
    return (Reservation) permit.userData;
  }
}
