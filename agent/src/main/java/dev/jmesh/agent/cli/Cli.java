package dev.jmesh.agent.cli;

import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.LoadResult;
import dev.jmesh.config.Problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.Properties;

/** {@code java -jar jmesh-agent.jar COMMAND}: the tools that ship in the agent jar. */
public final class Cli {
    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "version":
                out.println("jmesh " + version());
                return 0;
            case "validate":
                if (args.length != 2) {
                    err.println("usage: java -jar jmesh-agent.jar validate FILE");
                    return 2;
                }
                return validate(args[1], out, err);
            case "explain":
                if (args.length != 3) {
                    err.println("usage: java -jar jmesh-agent.jar explain FILE URL-or-JDBC-URL-or-aws:Service.Operation");
                    return 2;
                }
                return Explain.run(args[1], args[2], out, err);
            case "help":
            case "--help":
            case "-h":
                out.println("usage: java -jar jmesh-agent.jar COMMAND");
                out.println("  version          print the agent version");
                out.println("  validate FILE    check a mesh config; exit 0, or 1 with every problem as file:line:col: message");
                out.println("  explain FILE URL what the mesh would do with a call to URL: service, endpoints, every policy");
                out.println("                   with its effective value and where it came from (file, -D, env, default);");
                out.println("                   URL may also be a JDBC URL, or aws:Service.Operation for an AWS SDK call");
                out.println("attach to an application: java -javaagent:jmesh-agent.jar -Djmesh.config=mesh.yaml -jar app.jar");
                return 0;
            default:
                err.println("jmesh: unknown command '" + command + "'; try: java -jar jmesh-agent.jar help");
                return 2;
        }
    }

    private static int validate(String file, PrintStream out, PrintStream err) {
        try {
            LoadResult result = ConfigLoader.load(Paths.get(file));
            for (Problem warning : result.warnings()) {
                err.println(warning + " (warning)");
            }
            out.println(file + ": ok, " + result.config().services().size() + " services");
            return 0;
        } catch (ConfigException e) {
            for (Problem problem : e.problems()) {
                err.println(problem);
            }
            return 1;
        }
    }

    static String version() {
        Properties properties = new Properties();
        try (InputStream in = Cli.class.getResourceAsStream("/dev/jmesh/agent/version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return properties.getProperty("version", "unknown");
    }
}
