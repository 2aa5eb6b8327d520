package surge.identity.control;

/**
 * A credential that was presented and is not good: forged, expired, replayed, revoked, malformed.
 * The message says which, for the 401 body and the log; it never repeats the credential.
 */
public class CredentialRefused extends Exception {
  public CredentialRefused(String message) {
    super(message, null, false, false);
  }
}
