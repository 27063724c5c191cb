package dev.jmesh.agent.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallerTest {

    @Test
    void walksOnlyTheTopFramesOnJava9AndLater() {
        // The fallback (a full stack trace) costs about ten times as much; it must stay the Java 8 path only.
        assertTrue(Caller.walksLazily(), "StackWalker could not be bound; every call would pay for a full stack trace");
    }

    @Test
    void findsTheFirstFrameOutsideTheJdkAndJmesh() {
        String line = callFromApplicationCode();
        // This test class is under dev.jmesh.agent., which counts as infrastructure; JUnit's frames come next.
        assertTrue(line.startsWith("org.junit."), line);
    }

    @Test
    void libraryPackagesAreSkippedToo() {
        Caller.skipLibraries(java.util.Arrays.asList("org.junit."));
        try {
            String line = Caller.find();
            assertFalse(line.startsWith("org.junit."), line);
        } finally {
            Caller.skipLibraries(java.util.Collections.<String>emptyList());
        }
    }

    @Test
    void formatIsClassDotMethodColonLine() {
        String line = Caller.find();
        assertTrue(line.matches("[\\w.$]+\\.[\\w$<>]+:\\d+"), line);
    }

    private static String callFromApplicationCode() {
        return Caller.find();
    }

    @Test
    void aCallSiteSeenBeforeGetsTheSameTextAndCollidingSitesNeverShareOne() {
        Caller.SiteTexts sites = new Caller.SiteTexts(100);
        String first = sites.format("com.example.Shop", "order", 42);
        assertEquals("com.example.Shop.order:42", first);
        org.junit.jupiter.api.Assertions.assertSame(first, sites.format("com.example.Shop", "order", 42));
        assertEquals("com.example.Shop.order:43", sites.format("com.example.Shop", "order", 43));
        // "Aa" and "BB" have the same hash code: the same key, different sites
        assertEquals("com.example.Aa.order:7", sites.format("com.example.Aa", "order", 7));
        assertEquals("com.example.BB.order:7", sites.format("com.example.BB", "order", 7));
        assertEquals("com.example.Shop.Aa:7", sites.format("com.example.Shop", "Aa", 7));
        assertEquals("com.example.Shop.BB:7", sites.format("com.example.Shop", "BB", 7));
    }

    @Test
    void atMostMaxSitesAreKeptAndLaterSitesStillGetTheirText() {
        Caller.SiteTexts sites = new Caller.SiteTexts(4);
        for (int i = 0; i < 10_000; i++) {
            assertEquals("test.Generated" + i + ".call:" + i, sites.format("test.Generated" + i, "call", i));
        }
        assertEquals(4, sites.size());
    }
}
