using System.Globalization;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Tests;

/// <summary>Record ids (Domain/RecordIds.cs): time first so B-tree keys arrive in order, then 80 random bits.</summary>
public sealed class RecordIdsTests
{
    [Fact]
    public void Ids_are_32_lowercase_hex_characters_led_by_the_creation_millisecond_and_sort_by_it()
    {
        const long at = 1_796_515_200_123; // 2026-12-06T00:00:00.123Z
        var id = RecordIds.New(at);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(at, long.Parse(id[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        var later = RecordIds.New(at + 1);
        Assert.True(string.CompareOrdinal(id, later) < 0);
        var muchLater = RecordIds.New(at + 86_400_000L * 365 * 100); // a century on: still 6 bytes of milliseconds
        Assert.True(string.CompareOrdinal(later, muchLater) < 0);
    }

    [Fact]
    public void Ids_made_in_the_same_millisecond_differ_in_their_random_part()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => RecordIds.New(42)).ToList();
        Assert.Equal(1000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, i => Assert.StartsWith("00000000002a", i, StringComparison.Ordinal));
    }
}
