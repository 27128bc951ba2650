package dev.kiln.workflows.lane;

import java.util.List;

/**
 * @param building the run being built now, or {@code null}
 * @param pending runs taken and waiting, in the order they came
 * @param buildsThisRun builds started since the lane last continued as new
 */
public record LaneStatus(String lane, Long building, List<Long> pending, int buildsThisRun) {}
