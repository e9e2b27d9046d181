using Reconnect.Workflows.Cli;
using Reconnect.Workflows.Referrals.Activities;

// The built-in Elsa activities and the referral domain's Reconnect.* ones.
return await new CliApp(ReferralActivities.CreateRegistry(), Console.Out, Console.Error).RunAsync(args);
