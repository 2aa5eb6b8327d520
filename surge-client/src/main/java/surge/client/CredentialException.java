package surge.client;

/** A credential that was found but cannot be used (a token file others may read, an odd token). */
public final class CredentialException extends Exception {
  public CredentialException(String message) {
    super(message);
  }
}
