package dev.harrier.queue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * The lease tokens of remote claims: 128 random bits a job, shown once in the claim's reply and
 * stored only as their SHA-256. One claim draws one secret; each job's token is the first 16 bytes
 * of SHA-256(secret || job id), so that the claim statement stores every job's hash in one pass
 * (the {@code claim} statement computes the same).
 */
public final class LeaseTokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final int TOKEN_BYTES = 16;

    private LeaseTokens() {
    }

    /** A new claim's secret. */
    public static byte[] secret() {
        byte[] secret = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    /** The token of job {@code id} in the claim of {@code secret}, as the worker sends it back (32 hex digits). */
    public static String token(byte[] secret, UUID id) {
        ByteBuffer input = ByteBuffer.allocate(secret.length + 16).put(secret)
                .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        byte[] digest = sha256(input.array());
        byte[] token = new byte[TOKEN_BYTES];
        System.arraycopy(digest, 0, token, 0, TOKEN_BYTES);
        return HEX.formatHex(token);
    }

    /** The stored form of a token a worker sent: empty when it is not a token at all. */
    public static Optional<byte[]> hash(String token) {
        if (token == null || token.length() != TOKEN_BYTES * 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(sha256(HEX.parseHex(token.toLowerCase())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
