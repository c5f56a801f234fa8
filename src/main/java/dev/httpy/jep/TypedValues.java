package dev.httpy.jep;

import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import jep.JepException;

/**
 * {@code getValue(expression, Class)}: a value the bridge converted (String, Boolean, Long or
 * BigInteger, Double, byte[], List, Map, or null) as the class asked for, following the table of
 * Jep's {@code Interpreter.getValue(String, Class)}:
 *
 * <ul>
 *   <li>{@code str}: String (or any class a String is), Character for one character;</li>
 *   <li>{@code bool}: Boolean;</li>
 *   <li>{@code int}: Long, Integer, Short, Byte (range checked), BigInteger, Number;</li>
 *   <li>{@code float}: Double, Float;</li>
 *   <li>{@code list}, {@code tuple}: List (a tuple's is unmodifiable), an array (each item as its
 *       component type, primitive components too); {@code list} also ArrayList;</li>
 *   <li>{@code dict}: Map, HashMap, LinkedHashMap;</li>
 *   <li>{@code bytes}, {@code bytearray}: byte[];</li>
 *   <li>{@code None}: null, whatever the class.</li>
 * </ul>
 *
 * Anything else is Jep's {@code TypeError} ("Expected java.lang.Integer but received a str.")
 * or, out of range, its {@code OverflowError}, as a {@link JepException}. A primitive class asks
 * for its box.
 */
final class TypedValues {
    private TypedValues() {
    }

    /**
     * @param pythonType the Python type's name, for the message ({@code int}, {@code tuple})
     */
    @SuppressWarnings("unchecked")
    static <T> T as(Class<T> type, String pythonType, Object value) {
        return (T) convert(boxed(type), pythonType, value);
    }

    private static Object convert(Class<?> type, String pythonType, Object value) {
        if (value == null || type.isInstance(value)) {
            return value;
        }
        return switch (value) {
            case String s when type == Character.class && s.length() == 1 -> s.charAt(0);
            case Long n -> integer(type, pythonType, BigInteger.valueOf(n));
            case BigInteger n -> integer(type, pythonType, n);
            case Double d when type == Float.class -> d.floatValue();
            case List<?> items when type.isArray() -> array(type, pythonType, items);
            default -> throw expected(type, pythonType);
        };
    }

    private static Object integer(Class<?> type, String pythonType, BigInteger n) {
        if (type == BigInteger.class) {
            return n;
        }
        if (!(INTEGERS.get(type) instanceof IntegerType java)) {
            throw expected(type, pythonType);
        }
        if (n.bitLength() > 63 || n.longValue() < java.min() || n.longValue() > java.max()) {
            throw new JepException("<class 'OverflowError'>: " + n + " is outside the valid range of a Java " + java.name() + ".");
        }
        return java.narrow().apply(n.longValue());
    }

    /** A Java integer type a Python int converts to: its name in messages, its range and the narrowing. */
    private record IntegerType(String name, long min, long max, java.util.function.LongFunction<Object> narrow) {
    }

    private static final Map<Class<?>, IntegerType> INTEGERS = Map.of(
            Long.class, new IntegerType("long", Long.MIN_VALUE, Long.MAX_VALUE, v -> v),
            Integer.class, new IntegerType("int", Integer.MIN_VALUE, Integer.MAX_VALUE, v -> (int) v),
            Short.class, new IntegerType("short", Short.MIN_VALUE, Short.MAX_VALUE, v -> (short) v),
            Byte.class, new IntegerType("byte", Byte.MIN_VALUE, Byte.MAX_VALUE, v -> (byte) v));

    private static Object array(Class<?> type, String pythonType, List<?> items) {
        Class<?> component = type.getComponentType();
        Object array = Array.newInstance(component, items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item == null && component.isPrimitive()) {
                throw expected(component, "NoneType");
            }
            Array.set(array, i, convert(boxed(component), pythonTypeOf(item), item));
        }
        return array;
    }

    private static JepException expected(Class<?> type, String pythonType) {
        return new JepException("<class 'TypeError'>: Expected " + type.getName() + " but received a " + pythonType + ".");
    }

    private static Class<?> boxed(Class<?> type) {
        return type.isPrimitive() ? MethodType.methodType(type).wrap().returnType() : type;
    }

    /** The Python type a converted item came from, for messages about a list's items. */
    private static String pythonTypeOf(Object value) {
        return switch (value) {
            case null -> "NoneType";
            case String s -> "str";
            case Boolean b -> "bool";
            case Long n -> "int";
            case BigInteger n -> "int";
            case Double d -> "float";
            case byte[] bytes -> "bytes";
            case List<?> items -> "list";
            case Map<?, ?> map -> "dict";
            default -> value.getClass().getName();
        };
    }
}
