package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.temporal.api.enums.v1.IndexedValueType;
import org.junit.jupiter.api.Test;

class SearchAttributeRegistrationTest {

  @Test
  void coversEveryKilnSearchAttributeWithItsType() {
    assertThat(SearchAttributeRegistration.kilnAttributes())
        .containsExactly(
            entry("KilnRepo", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
            entry("KilnBranch", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
            entry("KilnSha", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
            entry("KilnArch", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
            entry("KilnMr", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
            entry("KilnPhase", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
            entry("KilnResult", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
            entry("KilnRunId", IndexedValueType.INDEXED_VALUE_TYPE_INT));
  }

  @Test
  void namesTypesTheWayTheCliSpellsThem() {
    assertThat(SearchAttributeRegistration.cliType(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD))
        .isEqualTo("Keyword");
    assertThat(SearchAttributeRegistration.cliType(IndexedValueType.INDEXED_VALUE_TYPE_INT))
        .isEqualTo("Int");
    assertThat(
            SearchAttributeRegistration.cliType(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST))
        .isEqualTo("KeywordList");
  }
}
