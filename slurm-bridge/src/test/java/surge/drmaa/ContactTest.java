package surge.drmaa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.ggf.drmaa.InvalidContactStringException;
import org.junit.jupiter.api.Test;

class ContactTest {
  @Test
  void noContactIsTheVolunteerPartition() throws Exception {
    assertThat(Contact.parse(null).partition()).isEqualTo("volunteer");
    assertThat(Contact.parse(" ").toString()).isEqualTo("partition=volunteer");
  }

  @Test
  void theContactNamesAPartition() throws Exception {
    assertThat(Contact.parse("partition=batch").partition()).isEqualTo("batch");
    assertThat(Contact.parse(" partition = gpu-a100 ;").toString()).isEqualTo("partition=gpu-a100");
  }

  @Test
  void unknownKeysBadNamesAndRepeatsAreRefused() {
    assertThatThrownBy(() -> Contact.parse("queue=batch"))
        .isInstanceOf(InvalidContactStringException.class)
        .hasMessageContaining("unknown key 'queue'");
    assertThatThrownBy(() -> Contact.parse("partition=a b"))
        .isInstanceOf(InvalidContactStringException.class);
    assertThatThrownBy(() -> Contact.parse("partition="))
        .isInstanceOf(InvalidContactStringException.class);
    assertThatThrownBy(() -> Contact.parse("partition=a,partition=b"))
        .isInstanceOf(InvalidContactStringException.class)
        .hasMessageContaining("twice");
  }
}
