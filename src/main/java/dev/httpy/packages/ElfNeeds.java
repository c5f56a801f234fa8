package dev.httpy.packages;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared libraries an ELF file names as {@code DT_NEEDED}: what the dynamic linker must find
 * before it can load the file. Only 64-bit little-endian ELF (Linux x86_64 and arm64); anything
 * else needs nothing as far as this reader knows.
 */
final class ElfNeeds {
    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;

    private ElfNeeds() {
    }

    static List<String> of(Path file) throws IOException {
        try (var channel = FileChannel.open(file)) {
            ByteBuffer header = read(channel, 0, 64);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
                return List.of();
            }
            long sectionsAt = header.getLong(0x28);
            int sectionSize = Short.toUnsignedInt(header.getShort(0x3a));
            int sections = Short.toUnsignedInt(header.getShort(0x3c));
            ByteBuffer table = read(channel, sectionsAt, sectionSize * sections);
            for (int i = 0; i < sections; i++) {
                int at = i * sectionSize;
                if (table.getInt(at + 4) != SHT_DYNAMIC) {
                    continue;
                }
                ByteBuffer dynamic = read(channel, table.getLong(at + 24), Math.toIntExact(table.getLong(at + 32)));
                int strings = table.getInt(at + 40) * sectionSize;
                ByteBuffer names = read(channel, table.getLong(strings + 24), Math.toIntExact(table.getLong(strings + 32)));
                List<String> needed = new ArrayList<>();
                for (int entry = 0; entry + 16 <= dynamic.limit(); entry += 16) {
                    long tag = dynamic.getLong(entry);
                    if (tag == DT_NULL) {
                        break;
                    }
                    if (tag == DT_NEEDED) {
                        needed.add(string(names, Math.toIntExact(dynamic.getLong(entry + 8))));
                    }
                }
                return needed;
            }
            return List.of();
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("truncated ELF file: nothing at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    private static String string(ByteBuffer names, int offset) {
        int end = offset;
        while (end < names.limit() && names.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - offset];
        names.get(offset, bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
