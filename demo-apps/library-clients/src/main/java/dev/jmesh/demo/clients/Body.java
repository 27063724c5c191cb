package dev.jmesh.demo.clients;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A request body as the app hands it to its library: in memory (the library knows its length and can send it
 * again), or streamed from a source of unknown length that is read once, as an upload of a file or of data
 * produced on the fly would be. A streamed body is generated as it is read: the app never holds it.
 */
final class Body {
    private final byte[] bytes;
    private final long length;

    private Body(byte[] bytes, long length) {
        this.bytes = bytes;
        this.length = length;
    }

    static Body json(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new Body(bytes, bytes.length);
    }

    /** {@code length} bytes in memory. */
    static Body buffered(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = pattern(i);
        }
        return new Body(bytes, length);
    }

    /** {@code length} bytes made while they are read; the library is not told the length. */
    static Body streamed(long length) {
        return new Body(null, length);
    }

    boolean streamed() {
        return bytes == null;
    }

    /** The bytes of a buffered body. */
    byte[] bytes() {
        return bytes;
    }

    long length() {
        return length;
    }

    /** A new stream over the body; each call starts again from its first byte. */
    InputStream newStream() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                return position < length ? pattern(position++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= length) {
                    return -1;
                }
                int n = (int) Math.min(len, length - position);
                for (int i = 0; i < n; i++) {
                    b[off + i] = pattern(position++);
                }
                return n;
            }
        };
    }

    private static byte pattern(long i) {
        return (byte) ('a' + i % 26);
    }
}
