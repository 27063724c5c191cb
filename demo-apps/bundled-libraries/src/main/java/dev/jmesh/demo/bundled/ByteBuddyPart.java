package dev.jmesh.demo.bundled;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;

import java.io.InputStream;
import java.net.URL;
import java.security.CodeSource;
import java.util.Properties;

import static net.bytebuddy.matcher.ElementMatchers.named;

/** The app's own Byte Buddy: where it comes from, its version, and a class it makes at run time. */
final class ByteBuddyPart {
    private static final String POM_PROPERTIES = "META-INF/maven/net.bytebuddy/byte-buddy/pom.properties";

    private ByteBuddyPart() {
    }

    /** The type Byte Buddy subclasses. */
    public static class Greeter {
        public String greet() {
            return "hello from the app";
        }
    }

    static void run(BundledLibraries.Tally tally) throws Exception {
        BundledLibraries.print("bytebuddy " + version());
        BundledLibraries.print("bytebuddy " + ByteBuddy.class.getName() + " from " + origin(ByteBuddy.class));
        Class<? extends Greeter> made = new ByteBuddy()
                .subclass(Greeter.class)
                .name("dev.jmesh.demo.bundled.GeneratedGreeter")
                .method(named("greet"))
                .intercept(FixedValue.value("hello from a class made at run time"))
                .make()
                .load(Greeter.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        Greeter greeter = made.getDeclaredConstructor().newInstance();
        BundledLibraries.print("bytebuddy made " + made.getName() + " (a " + made.getSuperclass().getSimpleName()
                + "): " + greeter.greet());
    }

    /**
     * The version in the pom.properties that Maven put into Byte Buddy's jar, looked up the way any code looks up a
     * resource: through the class loader of Byte Buddy's class (which asks its parents first). The fat jar's
     * manifest is the app's, so {@code Package.getImplementationVersion()} cannot tell.
     */
    private static String version() throws Exception {
        URL url = ByteBuddy.class.getClassLoader().getResource(POM_PROPERTIES);
        if (url == null) {
            return "unknown (no " + POM_PROPERTIES + ")";
        }
        Properties properties = new Properties();
        try (InputStream in = url.openStream()) {
            properties.load(in);
        }
        return properties.getProperty("version");
    }

    /** "the app's jar" when the class comes from the same jar as this app, else its location. */
    static String origin(Class<?> type) {
        CodeSource own = BundledLibraries.class.getProtectionDomain().getCodeSource();
        CodeSource theirs = type.getProtectionDomain().getCodeSource();
        if (own != null && theirs != null && own.getLocation().equals(theirs.getLocation())) {
            return "the app's jar";
        }
        return theirs == null ? "no code source" : String.valueOf(theirs.getLocation());
    }
}
