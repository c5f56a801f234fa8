package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks what a request function returned, {@code (status, body, headers)}, and turns it into a
 * {@link PythonResponse}; docs/python-interface.md, "The Python interface", is the contract. Anything else is refused
 * with a {@link PythonException} of type {@value PythonErrors#BAD_RESPONSE} whose message names the
 * bad value and the fix, and the filter answers 500.
 *
 * <p>Type checks compare types, not {@code isinstance} hooks, so an accepted answer is read without
 * running any of the app's Python code; the objects it borrows stay put meanwhile. Only the error
 * messages call {@code repr()}.
 */
final class RequestAnswers {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    private static final byte[] NO_BODY = new byte[0];

    private final LibPython lib;
    private final Conversions convert;

    RequestAnswers(LibPython lib, Conversions convert) {
        this.lib = lib;
        this.convert = convert;
    }

    /** Checks {@code answer} (borrowed). */
    PythonResponse check(MemorySegment answer) {
        try {
            return read(answer);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    private PythonResponse read(MemorySegment answer) throws Throwable {
        boolean tuple = lib.isInstance(answer, lib.tupleType);
        boolean list = !tuple && lib.isInstance(answer, lib.listType);
        long size = tuple ? (long) lib.PyTuple_Size.invokeExact(answer)
                : list ? (long) lib.PyList_Size.invokeExact(answer) : -1;
        if (size != 3) {
            throw bad("request function returned " + describe(answer) + "; it must return"
                    + " a tuple (status: int, body: str | bytes | None, headers: dict[str, list[str] | str])");
        }
        MemorySegment status = tuple ? (MemorySegment) lib.PyTuple_GetItem.invokeExact(answer, 0L)
                : (MemorySegment) lib.PyList_GetItem.invokeExact(answer, 0L);
        MemorySegment payload = tuple ? (MemorySegment) lib.PyTuple_GetItem.invokeExact(answer, 1L)
                : (MemorySegment) lib.PyList_GetItem.invokeExact(answer, 1L);
        MemorySegment headers = tuple ? (MemorySegment) lib.PyTuple_GetItem.invokeExact(answer, 2L)
                : (MemorySegment) lib.PyList_GetItem.invokeExact(answer, 2L);

        int code = status(status);
        List<String> flat = flatten(headers);
        byte[] body;
        if (payload.equals(lib.noneObject)) {
            body = NO_BODY;
        } else if (lib.isInstance(payload, lib.unicodeType)) {
            body = convert.utf8(payload);
            addCharset(flat);
        } else if (lib.isInstance(payload, lib.bytesType) || lib.isInstance(payload, lib.byteArrayType)) {
            body = convert.bytes(payload);
            defaultContentType(flat);
        } else if (lib.isInstance(payload, lib.memoryViewType)) {
            MemorySegment copy = (MemorySegment) lib.PyBytes_FromObject.invokeExact(payload);
            if (copy.equals(MemorySegment.NULL)) {
                throw convert.errors().fetch();
            }
            try {
                body = convert.bytes(copy);
            } finally {
                lib.decRef(copy);
            }
            defaultContentType(flat);
        } else {
            throw bad("body is a " + convert.typeName(payload) + "; it must be str, bytes or None");
        }
        return new PythonResponse(code, flat, body);
    }

    /** An exact {@code int} from 100 to 599: not a bool, not a str, not an IntEnum. */
    private int status(MemorySegment status) throws Throwable {
        if (!LibPython.typeOf(status).equals(lib.longType)) {
            throw bad("status " + convert.repr(status) + " is a " + convert.typeName(status) + ", not an int");
        }
        Object value = convert.integer(status);
        if (!(value instanceof Long code) || code < 100 || code > 599) {
            throw bad("status " + value + " is outside 100-599");
        }
        return (int) (long) code;
    }

    private List<String> flatten(MemorySegment headers) throws Throwable {
        var flat = new ArrayList<String>(8);
        if (headers.equals(lib.noneObject)) {
            return flat;
        }
        if (!lib.isInstance(headers, lib.dictType)) {
            throw bad("headers are a " + convert.typeName(headers) + "; they must be a dict[str, list[str] | str]");
        }
        long[] position = {0};
        MemorySegment[] entry = new MemorySegment[2];
        while (convert.next(headers, position, entry)) {
            MemorySegment key = entry[0];
            MemorySegment values = entry[1];
            String name = lib.isInstance(key, lib.unicodeType) ? convert.string(key) : null;
            if (name == null || !isToken(name)) {
                throw bad("header name " + convert.repr(key) + " is not an HTTP token");
            }
            if (isContainerHeader(name)) {
                continue;
            }
            if (lib.isInstance(values, lib.unicodeType) || lib.isInstance(values, lib.longType)) {
                add(flat, name, values);
            } else if (lib.isInstance(values, lib.listType)) {
                for (long i = 0, n = (long) lib.PyList_Size.invokeExact(values); i < n; i++) {
                    add(flat, name, (MemorySegment) lib.PyList_GetItem.invokeExact(values, i));
                }
            } else if (lib.isInstance(values, lib.tupleType)) {
                for (long i = 0, n = (long) lib.PyTuple_Size.invokeExact(values); i < n; i++) {
                    add(flat, name, (MemorySegment) lib.PyTuple_GetItem.invokeExact(values, i));
                }
            } else {
                throw bad("header " + name + ": " + convert.typeName(values) + " value; give a str or a list of str");
            }
        }
        return flat;
    }

    private void add(List<String> flat, String name, MemorySegment value) {
        String text;
        if (lib.isInstance(value, lib.longType) && !lib.isInstance(value, lib.boolType)) {
            // The number itself, also for an IntEnum: its str() is the name on Python 3.10.
            text = convert.integer(value).toString();
        } else if (lib.isInstance(value, lib.unicodeType)) {
            text = convert.string(value);
        } else {
            throw bad("header " + name + ": value " + convert.repr(value) + " is not a str");
        }
        // Each alone, not only the pair: a lone LF or CR also ends a header line for some clients.
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0) {
            throw bad("header " + name + ": value " + convert.repr(value) + " contains CR, LF or NUL");
        }
        flat.add(name);
        flat.add(text);
    }

    /** A text body: charset=utf-8 added to a text/* Content-Type without one, text/plain when there is none. */
    private static void addCharset(List<String> flat) {
        for (int i = 0; i < flat.size(); i += 2) {
            if (flat.get(i).equalsIgnoreCase("Content-Type")) {
                String value = flat.get(i + 1);
                String lower = value.toLowerCase(Locale.ROOT);
                if (lower.startsWith("text/") && !lower.contains("charset")) {
                    flat.set(i + 1, value + "; charset=utf-8");
                }
                return;
            }
        }
        flat.add("Content-Type");
        flat.add("text/plain; charset=utf-8");
    }

    private static void defaultContentType(List<String> flat) {
        for (int i = 0; i < flat.size(); i += 2) {
            if (flat.get(i).equalsIgnoreCase("Content-Type")) {
                return;
            }
        }
        flat.add("Content-Type");
        flat.add("application/octet-stream");
    }

    /** Headers the container computes itself; the app's value would make a wrong length or a broken connection. */
    private static boolean isContainerHeader(String name) {
        return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Connection");
    }

    /** RFC 9110's token: one or more tchar. */
    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TCHAR_SYMBOLS.indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** {@code a tuple ((200, 'x'))}: the type and the repr cut to 80 characters, as the glue said it. */
    private String describe(MemorySegment value) {
        String text = convert.repr(value);
        if (text.codePointCount(0, text.length()) > 80) {
            text = text.substring(0, text.offsetByCodePoints(0, 77)) + "...";
        }
        return "a " + convert.typeName(value) + " (" + text + ")";
    }

    private static PythonException bad(String message) {
        return PythonErrors.badResponse(message);
    }
}
