package dev.kiln.api.secrets;

/** A stored secret that does not decrypt: another key, or a row that was tampered with. */
public class UndecryptableSecretException extends RuntimeException {

  public UndecryptableSecretException(String name) {
    super(
        "secret "
            + name
            + " does not decrypt with this api's kiln.secrets.key: the key was changed or the"
            + " stored value was altered; set the secret again");
  }
}
