package dev.harrier.secret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption of secret values at rest: the JDK's AES-256-GCM, a random 96-bit nonce per value,
 * the workspace and name as associated data (a value copied onto another row does not decrypt).
 * A stored value is {@code nonce || ciphertext || tag}, next to the id of the key that sealed it
 * (the first 8 bytes of the key's SHA-256, in hex): the current key seals, old keys only open.
 */
public final class SecretCipher {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** A key that cannot be used, or a value no configured key opens; the message names no secret. */
    public static final class KeyProblem extends RuntimeException {
        public KeyProblem(String message) {
            super(message, null, false, false);
        }
    }

    /** What is stored: the sealed bytes and the id of the key that sealed them. */
    public record Sealed(byte[] bytes, String keyId) {
    }

    private final SecureRandom random = new SecureRandom();
    private final String currentId;
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

    private SecretCipher(List<byte[]> rawKeys) {
        for (byte[] raw : rawKeys) {
            keys.putIfAbsent(idOf(raw), new SecretKeySpec(raw, "AES"));
        }
        this.currentId = idOf(rawKeys.get(0));
    }

    /**
     * From {@code HARRIER_SECRETS_KEY} (base64 of 32 bytes) and {@code HARRIER_SECRETS_OLD_KEYS}
     * (the same, comma-separated); a key that is not one is refused, naming the setting only.
     */
    public static SecretCipher of(String key, String oldKeys) {
        List<byte[]> raw = new ArrayList<>();
        raw.add(decode("HARRIER_SECRETS_KEY", key));
        if (oldKeys != null) {
            for (String old : oldKeys.split(",")) {
                if (!old.isBlank()) {
                    raw.add(decode("HARRIER_SECRETS_OLD_KEYS", old));
                }
            }
        }
        return new SecretCipher(raw);
    }

    private static byte[] decode(String setting, String text) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new KeyProblem(setting + " is not base64 (make one with: openssl rand -base64 32)");
        }
        if (raw.length != 32) {
            throw new KeyProblem(setting + " must be the base64 of 32 bytes, not " + raw.length + " (openssl rand -base64 32)");
        }
        return raw;
    }

    public String currentKeyId() {
        return currentId;
    }

    public Sealed seal(String workspace, String name, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associated(workspace, name));
            byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return new Sealed(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array(), currentId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** The value; a {@link KeyProblem} when no configured key has the id, or the bytes do not open. */
    public String open(String workspace, String name, Sealed sealed) {
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new KeyProblem("no configured key has the id " + sealed.keyId()
                    + " (set the key that sealed the secrets as HARRIER_SECRETS_KEY or in HARRIER_SECRETS_OLD_KEYS)");
        }
        byte[] bytes = sealed.bytes();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(associated(workspace, name));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new KeyProblem("a stored secret does not open with the key " + sealed.keyId() + " (altered, or sealed elsewhere)");
        }
    }

    private static byte[] associated(String workspace, String name) {
        return (workspace + "\u0000" + name).getBytes(StandardCharsets.UTF_8);
    }

    static String idOf(byte[] raw) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(raw);
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
