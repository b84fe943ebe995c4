package io.flowgate.routing.flowendpoint.crypto;

import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Flow endpoint's private keys as files, and the {@link FlowCrypto} built from them, replaceable at run
 * time (the business-key rotation, docs/meta-lifecycle.md). Three files, all in the directory of
 * {@code FLOWGATE_PRIVATE_KEY}:
 * <ul>
 *   <li>{@code <key>}: the current key, the one Meta has confirmed;</li>
 *   <li>{@code <key>.previous}: the key it replaced, still accepted until the operator removes it (or the file
 *       {@code FLOWGATE_PREVIOUS_PRIVATE_KEY} names, which then is managed by the settings, not here);</li>
 *   <li>{@code <key>.next}: a generated key waiting for Meta's confirmation, not yet accepted.</li>
 * </ul>
 * Keys written here are PKCS#8, encrypted with AES-256 under {@code FLOWGATE_PRIVATE_KEY_PASSPHRASE} when
 * one is set, readable by the owner only.
 *
 * <p>The request path reads one volatile field ({@link #crypto()}); a change builds the whole new
 * {@link FlowCrypto} (with its self-test) first and then swaps it in, so a request in flight finishes with
 * the keys it started with and no request ever sees half a change. Changes are serialised.
 */
public final class EndpointKeys {

    static final String PREVIOUS_SUFFIX = ".previous";
    static final String NEXT_SUFFIX = ".next";
    private static final Logger log = LoggerFactory.getLogger(EndpointKeys.class);

    /**
     * What is loaded now, for the admin API: fingerprints only, and how often this instance decrypted a request
     * with the previous key since it was loaded, and when last (null: never).
     */
    public record Status(String current, String previous, String pending, boolean previousBySetting,
                         long previousKeyRequests, Instant previousKeyLastUsed) {
        public Map<String, Object> toMap() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("current", current);
            out.put("previous", previous);
            out.put("pending", pending);
            out.put("previous_managed_by_settings", previousBySetting);
            out.put("previous_key_requests_here", previousKeyRequests);
            out.put("previous_key_last_used_here", previousKeyLastUsed == null ? null : previousKeyLastUsed.toString());
            return out;
        }
    }

    private record Loaded(KeyRing ring, FlowCrypto crypto, AtomicLong previousUses, AtomicReference<Instant> previousLastUsed) {
    }

    private final Path currentFile;
    private final Path previousFile;
    private final boolean previousBySetting;
    private final char[] passphrase;
    private final char[] previousPassphrase;
    private volatile Loaded loaded;

    EndpointKeys(Path currentFile, char[] passphrase, Path configuredPrevious, char[] previousPassphrase) throws KeyLoadException {
        this.currentFile = currentFile.toAbsolutePath().normalize();
        this.previousBySetting = configuredPrevious != null;
        this.previousFile = previousBySetting ? configuredPrevious.toAbsolutePath().normalize()
                : this.currentFile.resolveSibling(this.currentFile.getFileName() + PREVIOUS_SUFFIX);
        this.passphrase = passphrase;
        // a previous key written by a rotation is the old current file, under the current passphrase
        this.previousPassphrase = previousBySetting ? previousPassphrase : passphrase;
        this.loaded = load();
    }

    /** The crypto of the keys accepted now. */
    public FlowCrypto crypto() {
        return loaded.crypto();
    }

    KeyRing ring() {
        return loaded.ring();
    }

    /** Counts a request the previous key decrypted: the operator removes that key once this stays still. */
    public void decryptedWith(DecryptedRequest request) {
        if (KeyRing.PREVIOUS.equals(request.keyName())) {
            Loaded now = loaded;
            now.previousUses().incrementAndGet();
            now.previousLastUsed().set(Instant.now());
        }
    }

    /** The public key uploaded to Meta when no rotation is in progress. */
    public PublicKey currentPublicKey() {
        return loaded.ring().currentPublicKey();
    }

    public static String publicPem(PublicKey key) {
        return KeyRing.toPublicPem(key);
    }

    public static String fingerprint(PublicKey key) {
        return KeyRing.fingerprint(key);
    }

    public synchronized Status status() throws KeyLoadException {
        Loaded now = loaded;
        KeyRing ring = now.ring();
        PublicKey pending = pendingPublicKey();
        return new Status(KeyRing.fingerprint(ring.currentPublicKey()),
                ring.previousPublicKey() == null ? null : KeyRing.fingerprint(ring.previousPublicKey()),
                pending == null ? null : KeyRing.fingerprint(pending), previousBySetting,
                now.previousUses().get(), now.previousLastUsed().get());
    }

    /** Whether a previous key is accepted now. */
    public boolean hasPrevious() {
        return loaded.ring().previous() != null;
    }

    public boolean previousBySetting() {
        return previousBySetting;
    }

    /** The public half of the generated key waiting for Meta, or null when there is none. */
    public synchronized PublicKey pendingPublicKey() throws KeyLoadException {
        Path next = nextFile();
        if (!Files.exists(next)) {
            return null;
        }
        return KeyRing.of(PrivateKeyLoader.load(next, passphrase), null).currentPublicKey();
    }

    /**
     * Generates a new RSA-2048 key pair and writes its private key as {@code <key>.next}, replacing an earlier
     * pending one. The keys accepted do not change.
     *
     * @return the new public key
     */
    public synchronized PublicKey generatePending() {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(PrivateKeyLoader.MIN_RSA_BITS);
            pair = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is unavailable", e);
        }
        writePrivate(nextFile(), pair);
        log.info("generated a new Flow endpoint key {} in {} (waiting for Meta's confirmation; not accepted yet)",
                KeyRing.fingerprint(pair.getPublic()), nextFile());
        return pair.getPublic();
    }

    /**
     * Makes the pending key current and the current key previous; both are accepted from the moment this
     * returns. Refused while a previous key is still accepted (remove it first) or when the previous key is
     * managed by {@code FLOWGATE_PREVIOUS_PRIVATE_KEY}.
     */
    public synchronized void promotePending() throws KeyLoadException {
        Path next = nextFile();
        if (!Files.exists(next)) {
            throw new IllegalStateException("no pending key to promote");
        }
        checkRotatable();
        try {
            Files.copy(currentFile, previousFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            move(next, currentFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace the key files in " + currentFile.getParent(), e);
        }
        reload();
    }

    /** Stops accepting the previous key and deletes its file. */
    public synchronized void removePrevious() throws KeyLoadException {
        if (previousBySetting) {
            throw new IllegalStateException("the previous key is set by FLOWGATE_PREVIOUS_PRIVATE_KEY: remove the setting and restart");
        }
        try {
            Files.deleteIfExists(previousFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + previousFile, e);
        }
        reload();
    }

    /** Throws unless a rotation may start: no previous key accepted, and the previous key not set by a setting. */
    public void checkRotatable() {
        if (previousBySetting) {
            throw new IllegalStateException("FLOWGATE_PREVIOUS_PRIVATE_KEY is set: the rotation API manages "
                    + previousFile.getFileName() + " itself; remove the setting (and restart) first");
        }
        if (loaded.ring().previous() != null) {
            throw new IllegalStateException("a previous key is still accepted: remove it first (DELETE /api/meta/key/previous)");
        }
    }

    /**
     * Loads the key files again and swaps the new keys in; when they do not load, the keys in use stay and
     * the exception says why. Called after a change here and when another instance announces one.
     */
    public synchronized void reload() throws KeyLoadException {
        Loaded fresh = load();
        loaded = fresh;
        log.info("Flow endpoint keys now: {}", fresh.ring().describe());
    }

    private Loaded load() throws KeyLoadException {
        RSAPrivateCrtKey current = PrivateKeyLoader.load(currentFile, passphrase);
        RSAPrivateCrtKey previous = Files.exists(previousFile)
                ? PrivateKeyLoader.load(previousFile, previousPassphrase, KeyRing.PREVIOUS_PASSPHRASE_VARIABLE)
                : null;
        if (previousBySetting && previous == null) {
            throw new KeyLoadException(previousFile, "does not exist (FLOWGATE_PREVIOUS_PRIVATE_KEY)");
        }
        KeyRing ring = KeyRing.of(current, previous);
        return new Loaded(ring, new FlowCrypto(ring), new AtomicLong(), new AtomicReference<>());
    }

    Path previousFile() {
        return previousFile;
    }

    private Path nextFile() {
        return currentFile.resolveSibling(currentFile.getFileName() + NEXT_SUFFIX);
    }

    /** Writes the private key as PKCS#8 PEM (AES-256 encrypted under the passphrase, if any), owner-only, atomically. */
    private void writePrivate(Path target, KeyPair pair) {
        StringWriter text = new StringWriter();
        try (PemWriter pem = new PemWriter(text)) {
            OutputEncryptor encryptor = null;
            if (passphrase != null) {
                encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                        .setProvider(PrivateKeyLoader.bouncyCastle()).setPassword(passphrase).build();
            }
            PemObject object = new JcaPKCS8Generator(pair.getPrivate(), encryptor).generate();
            pem.writeObject(object);
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot encode the new private key", e);
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temporary);
            try {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(temporary);
            } catch (FileAlreadyExistsException raced) {
                throw new IllegalStateException("another key is being written to " + temporary, raced);
            }
            Files.write(temporary, bytes);
            move(temporary, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the new private key to " + target, e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
