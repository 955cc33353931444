// Pulumi entry point: the stack outputs are whatever the program returns.
import { program } from "./stacks/program";

export = program();
