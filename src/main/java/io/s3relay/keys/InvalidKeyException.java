package io.s3relay.keys;

/** A path template that cannot produce a usable object key. Retrying cannot help. */
public class InvalidKeyException extends RuntimeException {
    public InvalidKeyException(String message) {
        super(message);
    }

    public InvalidKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
