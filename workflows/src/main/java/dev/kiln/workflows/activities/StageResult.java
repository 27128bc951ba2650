package dev.kiln.workflows.activities;

import java.util.List;

public record StageResult(List<ArtifactRecord> artifacts) {

  public StageResult {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }
}
