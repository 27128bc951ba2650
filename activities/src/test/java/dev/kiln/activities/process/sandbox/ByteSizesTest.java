package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizesTest {

  @ParameterizedTest
  @CsvSource({
    "4g, 4294967296",
    "4G, 4294967296",
    "4GiB, 4294967296",
    "4GB, 4294967296",
    "512m, 536870912",
    "1.5g, 1610612736",
    "10k, 10240",
    "1t, 1099511627776",
    "2048, 2048",
    "100b, 100"
  })
  void readsSizesInBinaryUnits(String text, long bytes) {
    assertThat(ByteSizes.parse(text)).contains(bytes);
  }

  @ParameterizedTest
  @CsvSource({"lots", "4 gigs", "-1g", "g", "1.2345g", "99999999999999t"})
  void refusesWhatIsNotASize(String text) {
    assertThat(ByteSizes.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "4294967296, 4 GiB",
    "10737418240, 10 GiB",
    "268435456, 256 MiB",
    "1610612736, 1.5 GiB",
    "1536, 1.5 KiB",
    "512, 512 bytes",
    "1, 1 byte"
  })
  void writesSizesAsPeopleReadThem(long bytes, String text) {
    assertThat(ByteSizes.format(bytes)).isEqualTo(text);
  }
}
