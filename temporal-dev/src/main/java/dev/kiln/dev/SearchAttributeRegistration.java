package dev.kiln.dev;

import dev.kiln.workflows.KilnSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers Kiln's search attributes ({@link KilnSearchAttributes}) on a Temporal server. Without
 * them every workflow task that upserts one fails, so the dev stack does not start without them.
 */
final class SearchAttributeRegistration {

  private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistration.class);

  private SearchAttributeRegistration() {}

  /** Name → type of every Kiln search attribute, in declaration order. */
  static Map<String, IndexedValueType> kilnAttributes() {
    Map<String, IndexedValueType> attributes = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : KilnSearchAttributes.ALL) {
      attributes.put(key.getName(), key.getValueType());
    }
    return attributes;
  }

  /**
   * {@code --search-attribute Name=Type} flags for {@code temporal server start-dev}. They only
   * take effect when the namespace is created, that is on a new database; {@link #ensure} covers an
   * old one.
   */
  static List<String> cliFlags() {
    List<String> flags = new ArrayList<>();
    kilnAttributes()
        .forEach(
            (name, type) -> {
              flags.add("--search-attribute");
              flags.add(name + "=" + cliType(type));
            });
    return flags;
  }

  static String cliType(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new IllegalArgumentException("No CLI name for " + type);
    };
  }

  /**
   * Adds whichever Kiln search attributes {@code namespace} lacks.
   *
   * @throws IllegalStateException when one exists with another type: it cannot be changed in place
   */
  static void ensure(String target, String namespace) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(target)
                .validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> missing = missing(operator, namespace);
      if (missing.isEmpty()) {
        log.debug("Kiln search attributes already registered in namespace {}", namespace);
        return;
      }
      add(operator, namespace, missing);
      log.info("Registered search attributes {} in namespace {}", missing.keySet(), namespace);
    } finally {
      operator.shutdown();
      operator.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Map<String, IndexedValueType> missing(
      OperatorServiceStubs operator, String namespace) {
    Map<String, IndexedValueType> wanted = kilnAttributes();
    Map<String, IndexedValueType> existing;
    try {
      existing =
          operator
              .blockingStub()
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
              .getCustomAttributesMap();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return wanted; // adding is idempotent enough: ALREADY_EXISTS is ignored below
      }
      throw e;
    }
    Map<String, IndexedValueType> missing = new LinkedHashMap<>();
    wanted.forEach(
        (name, type) -> {
          IndexedValueType present = existing.get(name);
          if (present == null) {
            missing.put(name, type);
          } else if (present != type) {
            throw new IllegalStateException(
                "Search attribute "
                    + name
                    + " is registered as "
                    + cliType(present)
                    + " but Kiln needs "
                    + cliType(type)
                    + ". Remove it (temporal operator search-attribute remove --name "
                    + name
                    + ") and start again.");
          }
        });
    return missing;
  }

  private static void add(
      OperatorServiceStubs operator, String namespace, Map<String, IndexedValueType> attributes) {
    try {
      operator
          .blockingStub()
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(attributes)
                  .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
      // Added by someone else meanwhile, or the server rejects a batch with one existing name: add
      // the rest one by one.
      if (attributes.size() > 1) {
        attributes.forEach((name, type) -> add(operator, namespace, Map.of(name, type)));
      }
    }
  }
}
