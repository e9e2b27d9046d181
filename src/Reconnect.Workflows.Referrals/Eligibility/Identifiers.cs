using System.Text.RegularExpressions;

namespace Reconnect.Workflows.Referrals.Eligibility;

public static partial class Identifiers
{
    /// <summary>A prison number: a letter, four digits, two letters (A1234BC).</summary>
    public static bool IsPrisonNumber(string? value) => value is not null && PrisonNumberPattern().IsMatch(value);

    /// <summary>Upper-cases and trims, so that "a1234bc " is accepted as A1234BC.</summary>
    public static string NormalizePrisonNumber(string value) => value.Trim().ToUpperInvariant();

    /// <summary>
    /// An NHS number: ten digits (spaces or hyphens between groups allowed) whose last digit is the modulus-11 check
    /// digit of the first nine, weighted 10 down to 2; a remainder giving 10 makes the number invalid.
    /// </summary>
    public static bool IsNhsNumber(string? value)
    {
        var digits = NormalizeNhsNumber(value);
        if (digits is null) return false;
        var sum = 0;
        for (var i = 0; i < 9; i++) sum += (digits[i] - '0') * (10 - i);
        var check = 11 - sum % 11;
        if (check == 11) check = 0;
        return check != 10 && check == digits[9] - '0';
    }

    /// <summary>The ten digits, or null when the text is not ten digits in the usual groupings.</summary>
    public static string? NormalizeNhsNumber(string? value)
    {
        if (value is null) return null;
        var trimmed = value.Trim();
        if (!NhsNumberPattern().IsMatch(trimmed)) return null;
        return new string(trimmed.Where(char.IsAsciiDigit).ToArray());
    }

    [GeneratedRegex("^[A-Z][0-9]{4}[A-Z]{2}$")]
    private static partial Regex PrisonNumberPattern();

    [GeneratedRegex("^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$")]
    private static partial Regex NhsNumberPattern();
}
