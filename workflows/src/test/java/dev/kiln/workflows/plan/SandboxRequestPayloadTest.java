package dev.kiln.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plans travel through Temporal's JSON converter and sit in recorded histories. */
class SandboxRequestPayloadTest {

  private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

  @Test
  void aPlanWithASandboxRequestSurvivesTheTripThroughTemporal() {
    SandboxRequest request = new SandboxRequest(4L << 30, 1.5, 256, 10L << 30, false);
    PipelinePlan plan =
        new PipelinePlan(
            "kiln.yaml",
            List.of(new CommandStep("make", 60)),
            List.of(),
            List.of(new GateSpec("unit", "make test", List.of(), 60, true, request)),
            Map.of(),
            request);

    Payload payload = converter.toPayload(plan).orElseThrow();

    assertThat(converter.fromPayload(payload, PipelinePlan.class, PipelinePlan.class))
        .isEqualTo(plan);
  }

  @Test
  void aPlanRecordedBeforeSandboxesReadsAsAskingNothing() {
    String recorded =
        """
        {"origin":"kiln.yaml","compile":[{"run":"make","timeoutSeconds":60}],"artifacts":[],
         "gates":[{"name":"unit","run":"make test","reports":[],"timeoutSeconds":60,
                   "required":true}],"env":{}}
        """;
    Payload payload =
        converter.toPayload(recorded).orElseThrow().toBuilder()
            .setData(com.google.protobuf.ByteString.copyFrom(recorded, StandardCharsets.UTF_8))
            .build();

    PipelinePlan plan = converter.fromPayload(payload, PipelinePlan.class, PipelinePlan.class);

    assertThat(plan.sandbox()).isNull();
    assertThat(plan.gates().get(0).sandbox()).isNull();
    assertThat(SandboxRequest.orDefault(plan.sandbox())).isEqualTo(SandboxRequest.DEFAULT);
  }
}
