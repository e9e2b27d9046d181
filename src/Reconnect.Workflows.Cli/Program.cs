using Reconnect.Workflows.Cli;
using Reconnect.Workflows.Engine.Activities;

return await new CliApp(ActivityRegistry.CreateDefault(), Console.Out, Console.Error).RunAsync(args);
