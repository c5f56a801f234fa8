package dev.httpy.python;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Java objects one web app lets its Python call, by name: Python's {@code httpy.java(name)}
 * finds them, and only their {@link PythonExposed} methods. Nothing else in the JVM is reachable
 * through it: no class by name, no other method, no field.
 *
 * <p>One instance per web app, shared by every interpreter the app gets (a reload's too); an
 * object is checked once, when it is exposed, and a name is exposed once. Thread-safe.
 */
public final class JavaObjects {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,99}");
    /** Parameter types an argument converts to; the conversion itself is {@link Method#adapt}'s. */
    private static final Set<Class<?>> PARAMETERS = Set.of(String.class, long.class, Long.class, int.class,
            Integer.class, double.class, Double.class, boolean.class, Boolean.class, byte[].class, List.class,
            Collection.class, Map.class, BigInteger.class, Object.class);
    /** What {@link Conversions#toPython} takes; a result type related to none of these can never convert. */
    private static final List<Class<?>> RESULTS = List.of(String.class, byte[].class, Boolean.class, Long.class,
            Integer.class, Short.class, Byte.class, Double.class, Float.class, Collection.class, Object[].class, Map.class);

    private final Map<String, Exposed> objects = new ConcurrentSkipListMap<>();

    /**
     * Lets Python call {@code target}'s {@link PythonExposed} methods as {@code httpy.java(name)}.
     *
     * @throws IllegalArgumentException naming the problem: a bad or taken name, no exposed method,
     *                                  a parameter or result Python cannot pass, two exposed methods
     *                                  of one name and one parameter count, a class that is not public
     */
    public void expose(String name, Object target) {
        expose(name, target, target.getClass());
    }

    /**
     * As above, with the methods read from {@code type}, which {@code target} is an instance of: for
     * a proxy (a CDI client proxy subclasses the bean class, and does not repeat its annotations).
     */
    public void expose(String name, Object target, Class<?> type) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cannot expose a Java object to Python as " + (name == null ? "null"
                    : "\"" + name + "\"") + ": give a name of letters, digits, '_', '.' or '-' that starts with a letter or '_'");
        }
        if (!type.isInstance(target)) {
            throw new IllegalArgumentException("cannot expose " + target.getClass().getName() + " as \"" + name
                    + "\": it is not a " + type.getName());
        }
        var exposed = new Exposed(name, target, methods(name, type));
        if (objects.putIfAbsent(name, exposed) != null) {
            throw new IllegalArgumentException("a Java object is already exposed to Python as \"" + name
                    + "\"; give this one another name");
        }
    }

    /** The names exposed so far, sorted. */
    public Set<String> names() {
        return Set.copyOf(objects.keySet());
    }

    Exposed get(String name) {
        return objects.get(name);
    }

    /** The sorted names, for messages. */
    String listing() {
        return objects.isEmpty() ? "none is exposed" : "the exposed ones are " + String.join(", ", objects.keySet());
    }

    /** An exposed object: its methods by name, each by parameter count. */
    record Exposed(String name, Object target, Map<String, Map<Integer, Method>> methods) {
        String methodListing() {
            return String.join(", ", methods.keySet());
        }
    }

    /** One exposed Java method, callable with arguments already converted from Python. */
    record Method(String pythonName, String signature, Class<?>[] parameters, MethodHandle handle) {
        /** {@code handle}'s type: (target, arguments) to result, boxed. */
        static final MethodType SPREAD = MethodType.methodType(Object.class, Object.class, Object[].class);

        Object invoke(Object target, Object[] arguments) throws Throwable {
            return handle.invokeExact(target, arguments);
        }

        /**
         * {@code value} (as {@link Conversions#toJava} made it) as parameter {@code index} needs it,
         * or an IllegalArgumentException saying what was given and what is wanted.
         */
        Object adapt(int index, Object value) {
            Class<?> type = parameters[index];
            if (type == Object.class) {
                return value;
            }
            if (value == null) {
                if (type.isPrimitive()) {
                    throw mismatch(index, value);
                }
                return null;
            }
            if (type == long.class || type == Long.class) {
                if (value instanceof Long) {
                    return value;
                }
            } else if (type == int.class || type == Integer.class) {
                if (value instanceof Long n) {
                    if (n != n.intValue()) {
                        throw new IllegalArgumentException("argument " + (index + 1) + " of " + pythonName + "() is "
                                + n + ", beyond Java's int (" + signature + ")");
                    }
                    return n.intValue();
                }
            } else if (type == double.class || type == Double.class) {
                if (value instanceof Double) {
                    return value;
                }
                if (value instanceof Long n) {
                    return n.doubleValue();
                }
            } else if (type == BigInteger.class) {
                if (value instanceof BigInteger) {
                    return value;
                }
                if (value instanceof Long n) {
                    return BigInteger.valueOf(n);
                }
            } else if (type.isInstance(value)) {
                return value; // String, Boolean, byte[], List, Collection, Map
            } else if (type == boolean.class && value instanceof Boolean) {
                return value;
            }
            throw mismatch(index, value);
        }

        private IllegalArgumentException mismatch(int index, Object value) {
            return new IllegalArgumentException("argument " + (index + 1) + " of " + pythonName + "() is "
                    + pythonType(value) + ", but Java's " + signature + " takes " + parameters[index].getSimpleName()
                    + " there");
        }
    }

    /** The Python type a converted value came from. */
    static String pythonType(Object value) {
        return switch (value) {
            case null -> "None";
            case String s -> "a str";
            case Long n -> "an int";
            case BigInteger n -> "an int";
            case Double d -> "a float";
            case Boolean b -> "a bool";
            case byte[] b -> "bytes";
            case List<?> l -> "a list";
            case Map<?, ?> m -> "a dict";
            default -> "a " + value.getClass().getSimpleName();
        };
    }

    private static Map<String, Map<Integer, Method>> methods(String name, Class<?> type) {
        var found = new TreeMap<String, Map<Integer, Method>>();
        var problems = new ArrayList<String>();
        for (java.lang.reflect.Method m : type.getMethods()) {
            if (m.isBridge() || m.isSynthetic() || !annotated(type, m)) {
                continue;
            }
            String signature = signature(m);
            if (Modifier.isStatic(m.getModifiers())) {
                problems.add(signature + " is static; expose instance methods");
                continue;
            }
            var params = m.getParameterTypes();
            boolean usable = true;
            for (int i = 0; i < params.length; i++) {
                if (!PARAMETERS.contains(params[i])) {
                    problems.add(signature + ": parameter " + (i + 1) + " is " + params[i].getSimpleName()
                            + ", which Python cannot pass; use String, long, int, double, boolean, byte[], List, Map,"
                            + " BigInteger or Object");
                    usable = false;
                }
            }
            if (!returnConverts(m.getReturnType())) {
                problems.add(signature + " returns " + m.getReturnType().getSimpleName() + ", which Python cannot"
                        + " receive; return String, a number, Boolean, byte[], a List, a Map or nothing");
                usable = false;
            }
            if (!usable) {
                continue;
            }
            MethodHandle handle;
            try {
                handle = MethodHandles.publicLookup().unreflect(m);
            } catch (IllegalAccessException e) {
                problems.add(signature + " cannot be called from outside its class (" + m.getDeclaringClass().getName()
                        + " must be a public class)");
                continue;
            }
            handle = handle.asType(handle.type().generic()).asSpreader(Object[].class, params.length)
                    .asType(Method.SPREAD);
            var method = new Method(m.getName(), signature, params, handle);
            var byCount = found.computeIfAbsent(m.getName(), k -> new TreeMap<>());
            Method clash = byCount.putIfAbsent(params.length, method);
            if (clash != null) {
                problems.add(clash.signature() + " and " + signature + " take as many parameters, so a call from Python"
                        + " could not tell them apart; expose one, or give them different names");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot expose " + type.getName() + " to Python as \"" + name + "\": "
                    + String.join("; ", problems));
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("cannot expose " + type.getName() + " to Python as \"" + name
                    + "\": it has no public method annotated @" + PythonExposed.class.getName()
                    + ", and only such methods are callable from Python");
        }
        return found;
    }

    /** Whether {@code m} or a method it overrides in a supertype carries the annotation. */
    private static boolean annotated(Class<?> type, java.lang.reflect.Method m) {
        if (m.isAnnotationPresent(PythonExposed.class)) {
            return true;
        }
        var supertypes = new ArrayList<Class<?>>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            supertypes.add(c);
            supertypes.addAll(List.of(c.getInterfaces()));
        }
        for (Class<?> c : supertypes) {
            try {
                if (c.getDeclaredMethod(m.getName(), m.getParameterTypes()).isAnnotationPresent(PythonExposed.class)) {
                    return true;
                }
            } catch (NoSuchMethodException notHere) {
                // next supertype
            }
        }
        return false;
    }

    private static boolean returnConverts(Class<?> type) {
        if (type == void.class || (type.isPrimitive() && type != char.class)) {
            return true;
        }
        for (Class<?> convertible : RESULTS) {
            if (type.isAssignableFrom(convertible) || convertible.isAssignableFrom(type)) {
                return true;
            }
        }
        return false;
    }

    private static String signature(java.lang.reflect.Method m) {
        return m.getDeclaringClass().getSimpleName() + "." + m.getName() + Stream.of(m.getParameterTypes())
                .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }
}
