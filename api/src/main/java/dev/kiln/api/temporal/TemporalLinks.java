package dev.kiln.api.temporal;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/** Links into the Temporal Web UI. */
@Component
public class TemporalLinks {

  private final String base;

  public TemporalLinks(KilnProperties properties) {
    KilnProperties.Temporal temporal = properties.temporal();
    this.base =
        temporal.uiBase()
            + "/namespaces/"
            + UriUtils.encodePathSegment(temporal.namespace(), "UTF-8");
  }

  /** The namespace's list of workflows. */
  public String namespaceUi() {
    return base + "/workflows";
  }

  public String workflow(String workflowId) {
    return base + "/workflows/" + UriUtils.encodePathSegment(workflowId, "UTF-8");
  }

  public String run(long runId) {
    return workflow(RebuildWorkflow.workflowId(runId));
  }
}
