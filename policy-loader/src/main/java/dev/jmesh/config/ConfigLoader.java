package dev.jmesh.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a YAML or JSON config document, and the overrides given as system properties and environment
 * variables, into a validated {@link MeshConfig}, or a {@link ConfigException} listing every problem as
 * {@code source:line:col: message}.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Loads a config from everything {@code input} holds: its document (a file or inline text; none gives
     * the defaults) with the system-property and environment overrides merged in (precedence: system
     * property, environment variable, document, default). Problems are {@code source:line:col: message},
     * where the source is the file, {@value ConfigInput#INLINE_SOURCE}, {@code -Djmesh.PATH} or
     * {@code env JMESH_PATH}. All of them are reported: those about the settings first, then the
     * document's, then the system properties', then the environment variables'.
     */
    public static LoadResult load(ConfigInput input) throws ConfigException {
        Problems problems = new Problems();
        for (Problem p : input.problems()) { // about the settings themselves: listed first
            problems.addSource(p.source());
            problems.error(p);
        }
        if (input.file() != null && input.inline() != null) {
            problems.error(bothFileAndInline(input));
            throw new ConfigException(problems.errors());
        }
        if (input.file() != null) {
            String source = input.file().toString();
            problems.addSource(source);
            return load(read(input.file(), problems), source, input, problems);
        }
        if (input.inline() != null) {
            return load(input.inline(), ConfigInput.INLINE_SOURCE, input, problems);
        }
        return load(null, null, input, problems);
    }

    /** Reads a UTF-8 file; the source name in problems is the path as given. No overrides apply. */
    public static LoadResult load(Path file) throws ConfigException {
        if (file == null) {
            throw new NullPointerException("file is required");
        }
        return load(ConfigInput.builder().file(file).build());
    }

    /** Parses a document held in memory; {@code sourceName} names it in problems (e.g. a URL). No overrides apply. */
    public static LoadResult parse(String text, String sourceName) throws ConfigException {
        if (text == null || sourceName == null) {
            throw new NullPointerException("text and sourceName are required");
        }
        return load(text, sourceName, ConfigInput.none(), new Problems());
    }

    /**
     * Parses a document held in memory (e.g. served by a control plane; {@code sourceName} names it in
     * problems) with the overrides of {@code overrides} merged in, as for a file. The document and any
     * problems of {@code overrides}' own file or inline text are ignored: only its system properties and
     * environment variables are used.
     */
    public static LoadResult parse(String text, String sourceName, ConfigInput overrides) throws ConfigException {
        if (text == null || sourceName == null || overrides == null) {
            throw new NullPointerException("text, sourceName and overrides are required");
        }
        ConfigInput onlyOverrides = ConfigInput.builder().systemProperties(overrides.systemProperties())
                .environment(overrides.environment()).build();
        return load(text, sourceName, onlyOverrides, new Problems());
    }

    /**
     * @param text the document, or null when there is none or it could not be read (then a problem has
     *        been reported, and only the overrides' names and values are checked)
     */
    private static LoadResult load(String text, String source, ConfigInput input, Problems problems)
            throws ConfigException {
        if (source != null) {
            problems.addSource(source);
        }
        Node root = text == null ? null : TreeReader.read(text, source, problems);
        boolean documentRead = !problems.hasErrors();
        // Overrides with bad names or values are reported and left out; the others are still merged and
        // validated, so that one run reports every problem. Only an unreadable document stops here.
        List<Overrides.KeyOverride> overrides = Overrides.collect(documentRead ? root : null, input, problems);
        if (!documentRead) {
            throw new ConfigException(problems.errors());
        }
        Node merged = Overrides.apply(root, overrides, problems);
        MeshConfig config = MeshConfigParser.parse(merged, problems);
        if (problems.hasErrors()) {
            throw new ConfigException(problems.errors());
        }
        Features.warnNotEnforced(merged, problems);
        return new LoadResult(config, problems.warnings(), Origins.of(merged, config, Overrides.labels(overrides)));
    }

    /** The file's text, or null after reporting why it cannot be read. */
    private static String read(Path file, Problems problems) {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            problems.error(fileProblem(source, "config file not found; check the path given with -Djmesh.config"
                    + " or JMESH_CONFIG"));
            return null;
        } catch (AccessDeniedException e) {
            problems.error(fileProblem(source, "cannot read the config file: permission denied; make it readable"
                    + " by the user that runs the JVM"));
            return null;
        } catch (IOException e) {
            problems.error(fileProblem(source, Files.isDirectory(file)
                    ? "is a directory; point -Djmesh.config at a YAML or JSON file"
                    : "cannot read the config file (" + e + "); check that it exists and is readable"));
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            problems.error(fileProblem(source, "the config file is not valid UTF-8; save it as UTF-8"));
            return null;
        }
    }

    private static Problem bothFileAndInline(ConfigInput input) {
        String file = input.fileSetting() != null ? input.fileSetting() : "the config file";
        String inline = input.inlineSetting() != null ? input.inlineSetting() : "the inline config";
        return new Problem(input.inlineSetting() != null ? input.inlineSetting() : ConfigInput.INLINE_SOURCE, 0, 0,
                "both a config file (" + input.file() + ", from " + file + ") and an inline config (from " + inline
                        + ") are given; remove one of them: " + file + " or " + inline);
    }

    private static Problem fileProblem(String source, String message) {
        return new Problem(source, 0, 0, message);
    }
}
