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
import java.util.Collections;

/**
 * Turns a YAML or JSON config document into a validated {@link MeshConfig}, or a
 * {@link ConfigException} listing every problem as {@code source:line:col: message}.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Reads a UTF-8 file; the source name in problems is the path as given. */
    public static LoadResult load(Path file) throws ConfigException {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw fileProblem(source, "config file not found; check the path given with -Djmesh.config or JMESH_CONFIG");
        } catch (AccessDeniedException e) {
            throw fileProblem(source, "cannot read the config file: permission denied; make it readable by the user"
                    + " that runs the JVM");
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw fileProblem(source, "is a directory; point -Djmesh.config at a YAML or JSON file");
            }
            throw fileProblem(source, "cannot read the config file (" + e + "); check that it exists and is readable");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fileProblem(source, "the config file is not valid UTF-8; save it as UTF-8");
        }
        return parse(text, source);
    }

    /** Parses a document held in memory; {@code sourceName} names it in problems (e.g. a URL). */
    public static LoadResult parse(String text, String sourceName) throws ConfigException {
        if (text == null || sourceName == null) {
            throw new NullPointerException("text and sourceName are required");
        }
        Problems problems = new Problems();
        Node root = TreeReader.read(text, sourceName, problems);
        MeshConfig config = MeshConfigParser.parse(root, problems);
        if (problems.hasErrors()) {
            throw new ConfigException(problems.errors());
        }
        return new LoadResult(config, problems.warnings());
    }

    private static ConfigException fileProblem(String source, String message) {
        return new ConfigException(Collections.singletonList(new Problem(source, 0, 0, message)));
    }
}
