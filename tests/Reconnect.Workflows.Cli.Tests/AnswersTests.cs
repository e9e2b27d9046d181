using Reconnect.Workflows.Engine.Simulation;

namespace Reconnect.Workflows.Cli.Tests;

public sealed class AnswersTests
{
    [Fact]
    public void Parse_SingleOutcomeAndList_KeepsBoth()
    {
        var answers = Answers.Parse("""{"tasks": {"a": "Approve", "b": ["Again", "Reject"]}}""");

        Assert.Equal(["Approve"], answers.Tasks["a"]);
        Assert.Equal(["Again", "Reject"], answers.Tasks["b"]);
        Assert.Empty(answers.Events);
    }

    [Fact]
    public void OutcomeFor_ListOfOutcomes_GivesOnePerVisitThenRepeatsTheLast()
    {
        var answers = Answers.Parse("""{"tasks": {"a": ["First", "Second"]}}""");

        Assert.Equal("First", answers.OutcomeFor("a", null, 0));
        Assert.Equal("Second", answers.OutcomeFor("a", null, 1));
        Assert.Equal("Second", answers.OutcomeFor("a", null, 2));
    }

    [Fact]
    public void OutcomeFor_IdAndName_PrefersTheId()
    {
        var answers = Answers.Parse("""{"tasks": {"task1": "ById", "Review": "ByName"}}""");

        Assert.Equal("ById", answers.OutcomeFor("task1", "Review", 0));
        Assert.Equal("ByName", answers.OutcomeFor("task2", "Review", 0));
        Assert.Null(answers.OutcomeFor("task3", "Other", 0));
        Assert.Null(answers.OutcomeFor("task3", null, 0));
    }

    [Fact]
    public void OutcomeFor_EmptyList_IsUnanswered()
    {
        var answers = Answers.Parse("""{"tasks": {"a": []}}""");

        Assert.Null(answers.OutcomeFor("a", null, 0));
    }

    [Fact]
    public void Parse_Events_ReadsAfterNameAndPayload()
    {
        var answers = Answers.Parse("""{"events": [{"after": "P3D", "name": "paid", "payload": {"amount": 5}}, {"name": "now"}, {"after": "1.12:00:00", "name": "later"}]}""");

        Assert.Equal(3, answers.Events.Count);
        Assert.Equal(TimeSpan.FromDays(3), answers.Events[0].After);
        Assert.Equal("paid", answers.Events[0].Name);
        Assert.Equal(5, (int)answers.Events[0].Payload!["amount"]!);
        Assert.Equal(TimeSpan.Zero, answers.Events[1].After);
        Assert.Null(answers.Events[1].Payload);
        Assert.Equal(TimeSpan.FromHours(36), answers.Events[2].After);
    }

    [Fact]
    public void Parse_CommentsAndTrailingCommas_AreAccepted()
    {
        var answers = Answers.Parse("""
            {
              // who says what
              "tasks": { "a": "Approve", },
            }
            """);

        Assert.Equal(["Approve"], answers.Tasks["a"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("\"tasks\"")]
    [InlineData("""{"tasks": 3}""")]
    [InlineData("""{"events": [{"name": "  "}]}""")]
    public void Parse_Invalid_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => Answers.Parse(json));
    }
}
